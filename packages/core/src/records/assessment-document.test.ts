import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { documentFileName, documentKind, requireDocumentKind } from "./assessment-document";

/** A zip archive of stored (uncompressed) entries, as office suites write their first entries. */
function storedZip(entries: [name: string, content: string][]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const data = Buffer.from(content);
    const fileName = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(header, fileName, data);
    centrals.push(central, fileName);
    offset += header.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const SAMPLE_DOCX = storedZip([
  ["[Content_Types].xml", "<Types/>"],
  ["word/document.xml", "<w:document/>"],
]);
const SAMPLE_ODT = storedZip([
  ["mimetype", "application/vnd.oasis.opendocument.text"],
  ["content.xml", "<office:document-content/>"],
]);

describe("assessment documents", () => {
  it("are known by their bytes: PDF, DOCX and ODT", () => {
    expect(documentKind(new TextEncoder().encode("%PDF-1.7\n%%EOF\n"))).toBe("pdf");
    expect(documentKind(SAMPLE_DOCX)).toBe("docx");
    expect(documentKind(SAMPLE_ODT)).toBe("odt");
  });

  it("refuses anything else, whatever it is called: text, images, other archives and office files", () => {
    const refused = [
      new TextEncoder().encode("<script>alert(1)</script>"),
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
      storedZip([["evil.sh", "rm -rf /"]]),
      storedZip([["mimetype", "application/vnd.oasis.opendocument.spreadsheet"]]),
      new Uint8Array([0x50, 0x4b, 3, 4]),
      new Uint8Array(),
    ];
    for (const bytes of refused) expect(documentKind(bytes)).toBeNull();
    const error = (() => {
      try {
        requireDocumentKind(refused[0] as Uint8Array);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "invalid", field: "document", reason: "notADocument" });
  });

  it("are stored under a plain name ending in what the bytes are", () => {
    expect(documentFileName("PIPIA 2026 评估.pdf", "pdf")).toBe("PIPIA 2026 评估.pdf");
    expect(documentFileName("C:\\Users\\dpo\\pipia.docx", "docx")).toBe("pipia.docx");
    expect(documentFileName('../../etc/"pass\u0000wd".pdf', "odt")).toBe("passwd.odt");
    expect(documentFileName("report.PDF", "pdf")).toBe("report.pdf");
    expect(documentFileName("   ", "pdf")).toBe("assessment.pdf");
    expect(documentFileName(`${"长".repeat(300)}.pdf`, "pdf")).toHaveLength(194);
  });
});
