// Body of a worker thread that decrypts gallery templates for ./gallery.ts and prepares them for the index
// (normalised, sketched) while the loading thread reads the next rows: each batch comes back as one matrix
// and its sketches (transferred, not copied).
import { parentPort } from "node:worker_threads";
import { openEmbedding } from "@consentry/crypto";
// The sketching alone rather than @consentry/vision, which would load the ONNX runtime (and wabt) into this thread.
import { type PreparedTemplates, prepareTemplates, type TemplatePreparation } from "@consentry/vision/gallery-sketch";

export type DecryptRequest = { id: number; sealed: string[]; preparation: TemplatePreparation };
export type DecryptResponse = { id: number; prepared: PreparedTemplates } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error("gallery-decrypt-thread must run in a worker thread");

port.on("message", ({ id, sealed, preparation }: DecryptRequest) => {
  try {
    const { dimensions } = preparation;
    const vectors = new Float32Array(sealed.length * dimensions);
    for (const [row, text] of sealed.entries()) {
      const embedding = openEmbedding(text);
      if (embedding.length !== dimensions)
        throw new Error(`embedding lengths differ: ${embedding.length} and ${dimensions}`);
      vectors.set(embedding, row * dimensions);
    }
    const prepared = prepareTemplates(preparation, vectors);
    const transfer = [
      prepared.vectors.buffer,
      ...(prepared.sketches ? [prepared.sketches.buffer] : []),
    ] as ArrayBuffer[];
    port.postMessage({ id, prepared } satisfies DecryptResponse, transfer);
  } catch (error) {
    // The message only: a DecryptionError names no data.
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies DecryptResponse);
  }
});
