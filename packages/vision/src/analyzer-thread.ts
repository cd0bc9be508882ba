import type { Worker } from "node:worker_threads";
import type { AnalyzedFace, Face, FaceAnalyzer, FaceAnalyzerOptions } from "./analyzer";
import type { DetectedFace } from "./detector";
import type { RgbImage } from "./image";
import type { FaceTemplate } from "./match";
import { startModuleThread } from "./module-thread";
import {
  deserializeError,
  type ThreadRequest,
  type ThreadResponse,
  type ThreadResult,
  type ThreadStartup,
  type TransferredFrame,
} from "./thread-protocol";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type FrameRequest = DistributiveOmit<Exclude<ThreadRequest, { method: "close" }>, "id" | "frame">;

/**
 * The same API as createFaceAnalyzer, with the models in a worker thread: `session.run` blocks the thread it
 * runs on, and the stream worker's event loop must stay free to renew its BullMQ job locks.
 * Frames go over as transferred copies (a 640x360 frame copies in well under a millisecond); embeddings come
 * back transferred. Calls are answered in order; the analyzer in the thread runs one at a time.
 */
export async function createFaceAnalyzerThread(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const worker = startWorker(options);
  const pending = new Map<number, { resolve: (result: ThreadResult) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exitError: Error | null = null;

  const modelId = await new Promise<string>((resolve, reject) => {
    const onStartup = (startup: ThreadStartup) => {
      settle();
      if ("error" in startup) {
        reject(deserializeError(startup.error));
        void worker.terminate();
      } else {
        resolve(startup.modelId);
      }
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onExit = (code: number) => onError(new Error(`face analyzer thread exited with code ${code} while starting`));
    // Only our own listeners come off: Worker keeps internal ones that start its message port.
    const settle = () => {
      worker.off("message", onStartup);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onStartup);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });

  worker.on("message", (response: ThreadResponse) => {
    const call = pending.get(response.id);
    if (!call) return;
    pending.delete(response.id);
    if ("error" in response) call.reject(deserializeError(response.error));
    else call.resolve(response.result);
  });
  const failAll = (error: Error) => {
    exitError = error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(exitError ?? new Error(`face analyzer thread exited (code ${code})`)));

  function call(request: DistributiveOmit<ThreadRequest, "id">, transfer: ArrayBuffer[] = []): Promise<ThreadResult> {
    if (exitError) return Promise.reject(exitError);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id }, transfer);
    });
  }

  /** Copies the pixels into an ArrayBuffer of their own and transfers it, so the caller's frame stays usable. */
  function callWithFrame<Result extends ThreadResult>(image: RgbImage, request: FrameRequest): Promise<Result> {
    const pixels = new ArrayBuffer(image.data.byteLength);
    new Uint8Array(pixels).set(image.data);
    const frame: TransferredFrame = { pixels, width: image.width, height: image.height };
    return call({ ...request, frame }, [pixels]) as Promise<Result>;
  }

  const embedFaces: FaceAnalyzer["embedFaces"] = (image, faces) =>
    callWithFrame<FaceTemplate[]>(image, {
      method: "embedFaces",
      faces: faces.map((face) => ({ box: face.box, landmarks: face.landmarks })),
    });

  return {
    modelId,
    detect: (image) => callWithFrame<Face[]>(image, { method: "detect" }),
    detectBoxes: (image) => callWithFrame<DetectedFace[]>(image, { method: "detectBoxes" }),
    analyze: (image) => callWithFrame<AnalyzedFace[]>(image, { method: "analyze" }),
    embed: async (image, face) => (await embedFaces(image, [face]))[0] as FaceTemplate,
    embedFaces,
    close: async () => {
      if (exitError) return;
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      const closing = call({ method: "close" });
      exitError = new Error("face analyzer is closed");
      await closing;
      await exited;
    },
  };
}

function startWorker(options: FaceAnalyzerOptions): Worker {
  return startModuleThread(new URL("./analyzer-thread-worker.ts", import.meta.url), { ...options });
}
