import { existsSync } from "node:fs";

/**
 * Fonts with Chinese glyphs, in order of preference: the `cjk-font` system program of
 * scripts/lib/programs.mjs (fonts-wqy-microhei) first, then Debian's fonts-noto-cjk.
 */
const CJK_FONTS = [
  { path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", family: "WenQuanYiMicroHei" },
  { path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", family: "NotoSansCJKsc-Regular" },
] as const;

type Font = (typeof CJK_FONTS)[number];
let installed: Font | null | undefined;

/** The installed CJK font, looked up once per process; null when none is installed. */
export function cjkFont(): Font | null {
  if (installed === undefined) installed = CJK_FONTS.find((font) => existsSync(font.path)) ?? null;
  return installed;
}

/** A pdfkit document's text font: the CJK font, or Helvetica (Chinese would print as empty boxes). */
export function setBodyFont(doc: PDFKit.PDFDocument): PDFKit.PDFDocument {
  const font = cjkFont();
  return font ? doc.font(font.path, font.family) : doc.font("Helvetica");
}

/** The bytes the document writes, once `doc.end()` is called. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
}
