import { z } from "zod";
import { fieldError } from "../errors";
import { text } from "../validators";

// The document of an impact assessment (PIPIA, CN-FR-08): the server keeps the file and computes
// its SHA-256 from the bytes, so the hash on record is always the hash of a file someone can open.

/** Documents are capped before they are read, like photos. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** The kinds of document accepted, with the content type each is served as. */
export const DOCUMENT_CONTENT_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  odt: "application/vnd.oasis.opendocument.text",
} as const;
export type DocumentKind = keyof typeof DOCUMENT_CONTENT_TYPES;

export const documentBytes = z
  .instanceof(Uint8Array)
  .refine((bytes) => bytes.byteLength > 0, { error: "emptyFile" })
  .refine((bytes) => bytes.byteLength <= MAX_DOCUMENT_BYTES, { error: "fileTooLarge" });

/** The file's name as the uploader's browser gave it; cleaned before it is stored (see documentFileName). */
export const documentName = text().trim().min(1).max(255);

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1", from, from + length);
const contains = (bytes: Uint8Array, needle: string) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle, 0, "latin1");
const ZIP_LOCAL_HEADER = "PK\u0003\u0004";
const ODT_MIMETYPE = "application/vnd.oasis.opendocument.text";

/**
 * What the bytes are, by their content, never by the name or the browser's type: a PDF starts with
 * `%PDF-`; DOCX and ODT are zip archives, an ODT's first entry is the stored `mimetype` file and a
 * DOCX holds `word/document.xml` (zip entry names are never compressed). Null for anything else.
 */
export function documentKind(bytes: Uint8Array): DocumentKind | null {
  if (ascii(bytes, 0, 5) === "%PDF-") return "pdf";
  if (ascii(bytes, 0, 4) !== ZIP_LOCAL_HEADER || bytes.byteLength < 30) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nameLength = view.getUint16(26, true);
  const extraLength = view.getUint16(28, true);
  if (ascii(bytes, 30, nameLength) === "mimetype") {
    const content = ascii(bytes, 30 + nameLength + extraLength, ODT_MIMETYPE.length);
    return content === ODT_MIMETYPE ? "odt" : null;
  }
  return contains(bytes, "[Content_Types].xml") && contains(bytes, "word/document.xml") ? "docx" : null;
}

/** The kind of an uploaded document, or a field error the form shows beside the file input. */
export function requireDocumentKind(bytes: Uint8Array): DocumentKind {
  const kind = documentKind(bytes);
  if (!kind) {
    throw fieldError("invalid", "document", "notADocument", "The file is not a PDF, DOCX or ODT document.");
  }
  return kind;
}

/**
 * The name the document is stored and downloaded under: no folders, no control characters or
 * quotes, at most 200 characters, ending in the extension of what the bytes really are.
 */
export function documentFileName(name: string, kind: DocumentKind): string {
  const base = (name.split(/[\\/]/).at(-1) ?? "")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f"<>|*?:]/g, "")
    .trim();
  const stem = base.replace(/\.(pdf|docx|odt)$/i, "").slice(0, 190) || "assessment";
  return `${stem}.${kind}`;
}
