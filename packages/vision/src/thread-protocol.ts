import type { AnalyzedFace, Face } from "./analyzer";
import type { DetectedFace } from "./detector";
import type { Box } from "./geometry";
import { ImageInputError, type ImageInputErrorCode } from "./image";
import type { FivePoints } from "./landmarks";
import type { FaceTemplate } from "./match";
import { ModelIntegrityError } from "./models";

/** A frame as it crosses the thread boundary: its pixels in an ArrayBuffer of their own, transferred. */
export interface TransferredFrame {
  readonly pixels: ArrayBuffer;
  readonly width: number;
  readonly height: number;
}

export type ThreadRequest =
  | { readonly id: number; readonly method: "detect" | "detectBoxes" | "analyze"; readonly frame: TransferredFrame }
  | {
      readonly id: number;
      readonly method: "embedFaces";
      readonly frame: TransferredFrame;
      readonly faces: readonly { readonly box: Box; readonly landmarks?: FivePoints }[];
    }
  | { readonly id: number; readonly method: "close" };

export type ThreadResult = Face[] | DetectedFace[] | AnalyzedFace[] | FaceTemplate[] | null;

export type ThreadResponse =
  | { readonly id: number; readonly result: ThreadResult }
  | { readonly id: number; readonly error: SerializedError };

export type ThreadStartup = { readonly ready: true; readonly modelId: string } | { readonly error: SerializedError };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly modelId?: string;
  readonly filePath?: string;
  readonly reason?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ImageInputError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof ModelIntegrityError) {
    return {
      name: error.name,
      message: error.message,
      modelId: error.modelId,
      filePath: error.filePath,
      reason: error.reason,
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/** Rebuilds the typed errors, so callers can tell bad input from a broken model across the thread boundary. */
export function deserializeError(serialized: SerializedError): Error {
  if (serialized.name === "ImageInputError") {
    return new ImageInputError(serialized.code as ImageInputErrorCode, serialized.message);
  }
  if (serialized.name === "ModelIntegrityError") {
    return new ModelIntegrityError(
      serialized.modelId ?? "",
      serialized.filePath ?? "",
      serialized.reason === "missing" ? "missing" : "hash_mismatch",
      serialized.message,
    );
  }
  const error = new Error(serialized.message);
  error.name = serialized.name;
  return error;
}

/** The embeddings' buffers, to hand back without copying. */
export function transferablesOf(result: ThreadResult): ArrayBuffer[] {
  if (result === null) return [];
  const templates = Array.isArray(result) ? result : [result];
  return templates.flatMap((item) =>
    "embedding" in item && item.embedding.buffer instanceof ArrayBuffer ? [item.embedding.buffer] : [],
  );
}
