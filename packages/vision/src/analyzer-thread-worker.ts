// Body of the worker thread behind createFaceAnalyzerThread: one analyzer, requests answered in order.
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { createFaceAnalyzer, type FaceAnalyzer, type FaceAnalyzerOptions } from "./analyzer";
import { rgbFrame } from "./image";
import {
  serializeError,
  type ThreadRequest,
  type ThreadResponse,
  type ThreadResult,
  type ThreadStartup,
  type TransferredFrame,
  transferablesOf,
} from "./thread-protocol";

const port = parentPort;
if (!port) throw new Error("analyzer-thread-worker must run in a worker thread");

/** Creates the analyzer, or reports why it could not and closes the port, which ends the thread. */
async function startAnalyzer(messagePort: MessagePort): Promise<FaceAnalyzer | null> {
  try {
    const created = await createFaceAnalyzer(workerData as FaceAnalyzerOptions);
    messagePort.postMessage({ ready: true, modelId: created.modelId } satisfies ThreadStartup);
    return created;
  } catch (error) {
    messagePort.postMessage({ error: serializeError(error) } satisfies ThreadStartup);
    messagePort.close();
    return null;
  }
}

const toImage = (frame: TransferredFrame) => rgbFrame(new Uint8Array(frame.pixels), frame.width, frame.height);

async function handle(analyzer: FaceAnalyzer, request: ThreadRequest): Promise<ThreadResult> {
  switch (request.method) {
    case "detect":
      return analyzer.detect(toImage(request.frame));
    case "detectBoxes":
      return analyzer.detectBoxes(toImage(request.frame));
    case "analyze":
      return analyzer.analyze(toImage(request.frame));
    case "embedFaces":
      return analyzer.embedFaces(toImage(request.frame), request.faces);
    case "close":
      await analyzer.close();
      return null;
  }
}

const analyzer = await startAnalyzer(port);
if (analyzer) {
  port.on("message", async (request: ThreadRequest) => {
    try {
      const result = await handle(analyzer, request);
      port.postMessage({ id: request.id, result } satisfies ThreadResponse, transferablesOf(result));
      if (request.method === "close") port.close();
    } catch (error) {
      port.postMessage({ id: request.id, error: serializeError(error) } satisfies ThreadResponse);
    }
  });
}
