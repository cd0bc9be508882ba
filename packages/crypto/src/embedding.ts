import { decryptBytes, encryptBytes, type Keyring } from "./index";

/** Encryption context of face template embeddings (bound as authenticated data). */
export const EMBEDDING_CONTEXT = "face_templates.embedding";

/** A face embedding as stored: its float32 bytes, encrypted. */
export function sealEmbedding(embedding: Float32Array, keyring?: Keyring): string {
  const bytes = new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength);
  return encryptBytes(bytes, EMBEDDING_CONTEXT, keyring);
}

export function openEmbedding(sealed: string, keyring?: Keyring): Float32Array {
  const bytes = decryptBytes(sealed, EMBEDDING_CONTEXT, keyring);
  // Copied into its own buffer: a Buffer's offset in Node's pool need not be 4-byte aligned.
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** Encryption context of camera RTSP URLs (they carry the camera's password). */
export const RTSP_URL_CONTEXT = "cameras.rtsp_url";
