import PDFDocument from "pdfkit";
import { pdfBytes, setBodyFont } from "../pdf";
import type { CertificateApprover, DeletionCertificate } from "./certificate";
import type { WithdrawalCertificate } from "./delete-templates";

export type CertificateKind = "deletion" | "withdrawal";

export type CertificatePdfInput =
  | { kind: "deletion"; certificate: DeletionCertificate; sha256: string; jsonFileName: string }
  | { kind: "withdrawal"; certificate: WithdrawalCertificate; sha256: string; jsonFileName: string };

/** The sentence the PDF (and, in the UI's words, the status page) says about the hash. */
export function hashCoverage(jsonFileName: string): { zh: string; en: string } {
  return {
    zh:
      `此 SHA-256 针对随附文件 ${jsonFileName} 的全部字节：即本证明的规范 JSON（UTF-8，键名按字母排序，无空格、无换行）。` +
      "Consentry 签发证明时已将同一数值写入其防篡改审计链。本 PDF 为可读副本，JSON 文件为经认证的记录。",
    en:
      `This SHA-256 covers the exact bytes of the accompanying file ${jsonFileName}: the certificate as canonical JSON ` +
      "(UTF-8, keys sorted, no spaces or line breaks). Consentry recorded the same value in its tamper-evident audit " +
      "chain when it issued the certificate. This PDF is a readable copy; the JSON file is the certified record.",
  };
}

/** Labels of what a certificate counts, and where it was held. */
const ITEMS: Record<string, { zh: string; en: string; where: string }> = {
  templates: { zh: "人脸模板", en: "Face templates", where: "face_templates" },
  enrolmentPhotos: { zh: "录入照片", en: "Enrolment photos", where: "enrolment_photos" },
  photoFiles: { zh: "照片文件", en: "Photo files", where: "file store" },
  enrolments: { zh: "录入记录", en: "Enrolments", where: "enrolments" },
  recognitionEvents: { zh: "识别记录", en: "Recognition events", where: "recognition_events" },
  consentsWithdrawn: { zh: "撤回的同意", en: "Consents withdrawn", where: "consents" },
};

/** Tables and places the residual scan checks, in both languages. */
const PLACES: Record<string, string> = {
  face_templates: "人脸模板 Face templates",
  enrolment_photos: "录入照片 Enrolment photos",
  enrolments: "录入记录 Enrolments",
  recognition_events: "识别记录 Recognition events",
  consents: "同意记录 Consents",
  subjects: "人员记录 People",
  dsr_requests: "权利请求 Requests",
  audit_log: "审计日志 Audit log",
  compliance_snapshots: "合规快照 Compliance snapshots",
  redis: "任务队列 Job queue",
  dev_mailbox: "开发邮箱 Development mailbox",
};

const ROLES: Record<NonNullable<CertificateApprover["role"]>, string> = {
  owner: "所有者 Owner",
  manager: "经理 Manager",
  operator: "操作员 Operator",
  auditor: "审计员 Auditor",
};

/** Certificates give instants in UTC; people read them in Shanghai time. */
const shanghai = (iso: string | null | undefined) =>
  iso ? `${new Date(iso).toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" })} (Asia/Shanghai, UTC+8)` : "—";

const MARGIN = 48;
const LABEL_WIDTH = 170;
const GAP = 12;

/**
 * A certificate as a bilingual PDF: every label in Chinese and English, what was deleted with
 * its counts per table, when (Shanghai time), who approved it, the residual scan, the rule
 * catalogue version, and the SHA-256 of the JSON file with what it covers. Prints only what the
 * certificate records (pseudonyms, never a face, name or contact).
 */
export function renderCertificatePdf(input: CertificatePdfInput): Promise<Buffer> {
  const { certificate } = input;
  const reference = certificate.requestReference ?? "—";
  const title = input.kind === "deletion" ? "删除证明 Deletion certificate" : "撤回同意删除证明 Withdrawal certificate";
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    info: { Title: `${title} ${reference}`, Producer: "Consentry" },
  });
  const body = () => setBodyFont(doc);
  body();
  const done = pdfBytes(doc);
  const width = doc.page.width - 2 * MARGIN;

  const section = (heading: string) => {
    doc.moveDown(0.8).x = MARGIN;
    doc.fontSize(12).fillColor("#0f172a").text(heading, MARGIN, doc.y, { width });
    const y = doc.y + 2;
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + width, y)
      .lineWidth(0.5)
      .strokeColor("#cbd5e1")
      .stroke();
    doc.y = y + 4;
  };
  /** One label (both languages) beside its value. */
  const field = (label: string, value: string) => {
    const top = doc.y;
    doc.fontSize(9).fillColor("#475569").text(label, MARGIN, top, { width: LABEL_WIDTH });
    const labelBottom = doc.y;
    doc.fontSize(10).fillColor("#0f172a");
    doc.text(value, MARGIN + LABEL_WIDTH + GAP, top, { width: width - LABEL_WIDTH - GAP });
    doc.y = Math.max(labelBottom, doc.y) + 3;
    doc.x = MARGIN;
  };
  const paragraph = (text: string, size = 9, color = "#334155") => {
    doc.fontSize(size).fillColor(color).text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };

  doc.fontSize(18).fillColor("#0f172a").text(title, MARGIN, MARGIN, { width });
  doc.fontSize(10).fillColor("#475569");
  doc.text(`${certificate.organisation.name} · ${certificate.site.name} (${certificate.site.code})`, { width });
  doc.text(`参考编号 Reference: ${reference}`, { width });

  section("请求 Request");
  field("组织 Organisation", certificate.organisation.name);
  field("场所 Site", `${certificate.site.name} (${certificate.site.code})`);
  field("人员（化名）Person (pseudonym)", certificate.subject.pseudonym);
  if (input.kind === "deletion") {
    const c = input.certificate;
    field("请求核验时间 Request verified", shanghai(c.requestVerifiedAt));
    field("批准人 Approved by", approverText(c));
    field("执行 Carried out by", "Consentry 运维进程（自动） Consentry ops worker (automatic)");
    field("删除完成时间 Erased at", shanghai(c.erasedAt));
  } else {
    const c = input.certificate;
    if (!c.requestReference) field("来源 Source", "工作人员记录的撤回 Withdrawal recorded by staff");
    else field("批准人 Approved by", approverText(c));
    for (const consent of c.consents) {
      field(
        "撤回的同意 Consent withdrawn",
        `${consent.purpose}: 授予 given ${shanghai(consent.givenAt)}; 撤回 withdrawn ${shanghai(consent.withdrawnAt)}`,
      );
    }
    field("执行 Carried out by", "Consentry 运维进程（自动） Consentry ops worker (automatic)");
    field("删除完成时间 Deleted at", shanghai(c.deletedAt));
  }

  section("已删除的内容 What was deleted");
  const items = certificate.items as Record<string, number>;
  const countX = MARGIN + width - 60;
  const whereX = MARGIN + 230;
  doc.fontSize(9).fillColor("#475569");
  const headTop = doc.y;
  doc.text("数据 Data", MARGIN, headTop, { width: 220 });
  doc.text("存放位置 Where it was held", whereX, headTop, { width: countX - whereX - GAP });
  doc.text("数量 Count", countX, headTop, { width: 60, align: "right" });
  doc.y += 2;
  for (const [key, count] of Object.entries(items)) {
    const label = ITEMS[key] ?? { zh: "", en: key, where: key };
    const top = doc.y;
    doc.fontSize(10).fillColor("#0f172a");
    doc.text(`${label.zh} ${label.en}`.trim(), MARGIN, top, { width: 220 });
    doc.text(label.where, whereX, top, { width: countX - whereX - GAP });
    doc.text(String(count), countX, top, { width: 60, align: "right" });
    doc.y = Math.max(doc.y, top + 14) + 1;
  }
  doc.x = MARGIN;
  doc.moveDown(0.3);
  if (input.kind === "deletion") {
    if (input.certificate.alreadyErased) {
      paragraph(
        "此前的请求已删除该人员的全部数据，本次没有可删除的内容。 Nothing was left to erase: an earlier request had already erased this person's data.",
      );
    }
    if (input.certificate.modelIds.length) {
      field("涉及的识别模型 Recognition models", input.certificate.modelIds.join(", "));
    }
  } else if (input.certificate.recognitionEventsKept) {
    paragraph(
      "该场所内仍受该人员其他有效同意覆盖的识别记录予以保留。 Recognition events at this site that another active consent of the person covers are kept.",
    );
  }

  section("残留扫描 Residual scan");
  const scan = certificate.residualScan;
  field(
    "结果 Result",
    `未发现残留：${scan.rowsFound} 行数据，${scan.filesFound} 个文件（检查了 ${scan.storageKeysChecked} 个存储键）。 ` +
      `Nothing left: ${scan.rowsFound} rows, ${scan.filesFound} files (${scan.storageKeysChecked} storage keys checked).`,
  );
  const tables = "tablesChecked" in scan ? scan.tablesChecked : scan.checked;
  field("检查的数据表 Tables checked", tables.map((table) => `${PLACES[table] ?? table} (${table})`).join("; "));
  const places = "placesChecked" in scan ? (scan.placesChecked ?? []) : [];
  if (places.length) {
    field(
      "其他检查位置 Other places checked",
      places.map((place) => `${PLACES[place] ?? place} (${place})`).join("; "),
    );
  }

  section("规则目录 Compliance catalogue");
  const catalogue = certificate.catalogueVersion;
  field(
    "规则目录版本 Rule catalogue version",
    catalogue ??
      `本证明格式（第 ${certificate.version} 版）未记录 Not recorded (certificate format ${certificate.version})`,
  );
  field("证明格式版本 Certificate format", String(certificate.version));

  section("完整性 Integrity");
  field("JSON 文件 JSON file", input.jsonFileName);
  const top = doc.y;
  doc.fontSize(9).fillColor("#475569").text("SHA-256", MARGIN, top, { width: LABEL_WIDTH });
  doc.font("Courier").fontSize(8).fillColor("#0f172a");
  doc.text(input.sha256, MARGIN + LABEL_WIDTH + GAP, top, { width: width - LABEL_WIDTH - GAP });
  body();
  doc.x = MARGIN;
  doc.y += 8;
  const coverage = hashCoverage(input.jsonFileName);
  paragraph(coverage.zh);
  paragraph(coverage.en);
  paragraph(
    `核验：sha256sum ${input.jsonFileName} 应输出上述数值；组织可用 npm run certificate:verify 对照审计链核验。 ` +
      `To check: sha256sum ${input.jsonFileName} must print the value above; the organisation checks it against its audit chain with npm run certificate:verify.`,
    8,
    "#475569",
  );
  doc.end();
  return done;
}

function approverText(certificate: Pick<DeletionCertificate, "version" | "approvedBy">): string {
  if (certificate.version < 2) return "本证明格式（第 1 版）未记录 Not recorded (certificate format 1)";
  const approver = certificate.approvedBy;
  if (!approver) return "无批准记录 No staff approval on record";
  const role = approver.role ? ROLES[approver.role] : "非本组织成员 Not a member of the organisation";
  return `${role} · ${approver.staffId} · ${shanghai(approver.approvedAt)}`;
}
