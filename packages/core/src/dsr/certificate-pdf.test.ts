import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { describe, expect, it } from "vitest";
import type { DeletionCertificate } from "./certificate";
import { hashCoverage, renderCertificatePdf } from "./certificate-pdf";
import type { WithdrawalCertificate } from "./delete-templates";

// The PDFs people read: bilingual labels, counts per table, Shanghai time, approver, residual
// scan, catalogue, and the hash with what it covers; older certificates say what they lack.

/** The PDF's text without its spacing (text runs may be split anywhere). */
async function pdfText(bytes: Buffer) {
  const standardFontDataUrl = join(
    dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")),
    "standard_fonts/",
  );
  const document = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl }).promise;
  const pages = await Promise.all(
    Array.from({ length: document.numPages }, async (_, i) => {
      const content = await (await document.getPage(i + 1)).getTextContent();
      return content.items.map((item) => ("str" in item ? item.str : "")).join(" ");
    }),
  );
  return pages.join("\n").replace(/\s+/g, "");
}

const SHA = "ab".repeat(32);
const deletion: DeletionCertificate = {
  version: 2,
  requestReference: "R-PDF1",
  organisation: { id: "00000000-0000-4000-8000-000000000001", name: "静安物业 Jing'an Property" },
  site: { id: "00000000-0000-4000-8000-000000000002", code: "JA01", name: "静安公寓" },
  subject: { pseudonym: "P-7K2M9Q" },
  requestVerifiedAt: "2026-11-02T08:00:00.000Z",
  erasedAt: "2026-11-03T16:30:00.000Z",
  alreadyErased: false,
  items: {
    templates: 3,
    enrolmentPhotos: 2,
    photoFiles: 2,
    enrolments: 1,
    recognitionEvents: 50,
    consentsWithdrawn: 1,
  },
  residualScan: {
    tablesChecked: ["face_templates", "enrolment_photos"],
    placesChecked: ["audit_log", "redis"],
    rowsFound: 0,
    storageKeysChecked: 2,
    filesFound: 0,
  },
  modelIds: ["fr_feature"],
  approvedBy: { staffId: "staff-0123456789ab", role: "operator", approvedAt: "2026-11-03T01:00:00.000Z" },
  catalogueVersion: "version 2 (2026-12; Order No. 19)",
};

describe("certificate PDFs", () => {
  it("print a deletion certificate in Chinese and English, with the hash and what it covers", async () => {
    const jsonFileName = "deletion-certificate-R-PDF1.json";
    const pdf = await renderCertificatePdf({ kind: "deletion", certificate: deletion, sha256: SHA, jsonFileName });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const text = await pdfText(pdf);
    for (const expected of [
      "删除证明Deletioncertificate",
      "R-PDF1",
      "静安公寓(JA01)",
      "P-7K2M9Q",
      // Counts per table, in order.
      "人脸模板Facetemplatesface_templates3",
      "录入照片Enrolmentphotosenrolment_photos2",
      "照片文件Photofilesfilestore2",
      "识别记录Recognitioneventsrecognition_events50",
      "撤回的同意Consentswithdrawnconsents1",
      // Shanghai time: 16:30 UTC is 00:30 the next day.
      "2026-11-0400:30:00(Asia/Shanghai,UTC+8)",
      "操作员Operator·staff-0123456789ab",
      "未发现残留",
      "Nothingleft:0rows,0files(2storagekeyschecked)",
      "审计日志Auditlog(audit_log)",
      "version2(2026-12;OrderNo.19)",
      SHA,
      hashCoverage(jsonFileName).en.replace(/\s+/g, ""),
      hashCoverage(jsonFileName).zh.replace(/\s+/g, ""),
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("say what a version 1 certificate does not record", async () => {
    const { approvedBy: _a, catalogueVersion: _c, ...older } = deletion;
    const pdf = await renderCertificatePdf({
      kind: "deletion",
      certificate: { ...older, version: 1, alreadyErased: true },
      sha256: SHA,
      jsonFileName: "deletion-certificate-R-PDF1.json",
    });
    const text = await pdfText(pdf);
    expect(text).toContain("Notrecorded(certificateformat1)");
    expect(text).toContain("anearlierrequesthadalreadyerasedthisperson'sdata");
  });

  it("print a withdrawal certificate", async () => {
    const withdrawal: WithdrawalCertificate = {
      version: 1,
      kind: "withdrawal",
      requestReference: null,
      organisation: deletion.organisation,
      site: deletion.site,
      subject: deletion.subject,
      consents: [
        {
          id: "c1",
          purpose: "entry_verification",
          givenAt: "2026-01-01T00:00:00.000Z",
          withdrawnAt: "2026-11-01T00:00:00.000Z",
        },
      ],
      deletedAt: "2026-11-01T00:05:00.000Z",
      items: { templates: 2, enrolmentPhotos: 2, photoFiles: 1, recognitionEvents: 5 },
      recognitionEventsKept: true,
      residualScan: { checked: ["face_templates"], rowsFound: 0, storageKeysChecked: 1, filesFound: 0 },
    };
    const pdf = await renderCertificatePdf({
      kind: "withdrawal",
      certificate: withdrawal,
      sha256: SHA,
      jsonFileName: "withdrawal-certificate-R-X.json",
    });
    const text = await pdfText(pdf);
    // Version 2 of a portal request's certificate names its approver and the catalogue, as deletions do.
    const requested = await pdfText(
      await renderCertificatePdf({
        kind: "withdrawal",
        certificate: {
          ...withdrawal,
          version: 2,
          requestReference: "R-W",
          approvedBy: { staffId: "staff-ba9876543210", role: "manager", approvedAt: "2026-11-01T00:01:00.000Z" },
          catalogueVersion: "2",
        },
        sha256: SHA,
        jsonFileName: "withdrawal-certificate-R-W.json",
      }),
    );
    expect(requested).toContain("经理Manager·staff-ba9876543210");
    expect(requested).toContain("规则目录版本Rulecatalogueversion2");
    expect(requested).not.toContain("Withdrawalrecordedbystaff");
    for (const expected of [
      "撤回同意删除证明Withdrawalcertificate",
      "Withdrawalrecordedbystaff",
      "entry_verification",
      "识别记录Recognitioneventsrecognition_events5",
      "anotheractiveconsentofthepersoncoversarekept",
      "2026-11-0108:05:00",
      SHA,
    ]) {
      expect(text).toContain(expected);
    }
  });
});
