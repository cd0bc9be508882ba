import { z } from "zod";
import { exportSafeText, storableDate, text } from "./common";
import { ENTRY_PURPOSES } from "./compliance";

export const CONSENT_SCOPES = ["recognition", "central_storage", "transfer"] as const;
export const CONSENT_METHODS = ["written", "electronic"] as const;

export const subjectFields = z.object({
  displayName: text().trim().min(1).max(120),
  contact: text().trim().max(254).nullable(),
  isMinor: z.boolean(),
  birthYear: z.int().min(1900).max(new Date().getFullYear()).nullable(),
});

const sha256 = text().regex(/^[0-9a-f]{64}$/, { error: "sha256" });

export const consentFields = z.object({
  subjectId: z.uuid(),
  siteId: z.uuid(),
  purpose: z.enum(ENTRY_PURPOSES),
  scopes: z.array(z.enum(CONSENT_SCOPES)).min(1).max(CONSENT_SCOPES.length),
  method: z.enum(CONSENT_METHODS),
  isSeparate: z.boolean(),
  isBundled: z.boolean(),
  noticeId: z.uuid().nullable(),
  evidenceSha256: sha256.nullable(),
  guardianName: text().trim().min(1).max(120).nullable(),
  guardianRelation: text().trim().min(1).max(60).nullable(),
  givenAt: storableDate(),
});

export const noticeFields = z.object({
  siteId: z.uuid(),
  controller: exportSafeText(1, 300),
  purpose: text().trim().min(1).max(2000),
  method: text().trim().min(1).max(2000),
  retention: text().trim().min(1).max(1000),
  rights: text().trim().min(1).max(2000),
  contact: text().trim().min(1).max(300),
});

export const assessmentFields = z.object({
  siteId: z.uuid(),
  scope: text().trim().min(1).max(2000),
  approver: text().trim().min(1).max(200),
  documentSha256: sha256,
  completedAt: storableDate(),
  nextReviewAt: storableDate().nullable(),
});

export const filingFields = z.object({
  thresholdReachedAt: storableDate().nullable(),
  filedAt: storableDate(),
  authority: text().trim().min(1).max(200),
  reference: text().trim().min(1).max(120),
});
