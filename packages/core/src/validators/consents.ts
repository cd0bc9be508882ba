import { z } from "zod";
import { exportSafeText } from "./common";
import { ENTRY_PURPOSES } from "./compliance";

export const CONSENT_SCOPES = ["recognition", "central_storage", "transfer"] as const;
export const CONSENT_METHODS = ["written", "electronic"] as const;

export const subjectFields = z.object({
  displayName: z.string().trim().min(1).max(120),
  contact: z.string().trim().max(254).nullable(),
  isMinor: z.boolean(),
  birthYear: z.int().min(1900).max(new Date().getFullYear()).nullable(),
});

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: "sha256" });

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
  guardianName: z.string().trim().min(1).max(120).nullable(),
  guardianRelation: z.string().trim().min(1).max(60).nullable(),
  givenAt: z.coerce.date(),
});

export const noticeFields = z.object({
  siteId: z.uuid(),
  controller: exportSafeText(1, 300),
  purpose: z.string().trim().min(1).max(2000),
  method: z.string().trim().min(1).max(2000),
  retention: z.string().trim().min(1).max(1000),
  rights: z.string().trim().min(1).max(2000),
  contact: z.string().trim().min(1).max(300),
});

export const assessmentFields = z.object({
  siteId: z.uuid(),
  scope: z.string().trim().min(1).max(2000),
  approver: z.string().trim().min(1).max(200),
  documentSha256: sha256,
  completedAt: z.coerce.date(),
  nextReviewAt: z.coerce.date().nullable(),
});

export const filingFields = z.object({
  thresholdReachedAt: z.coerce.date().nullable(),
  filedAt: z.coerce.date(),
  authority: z.string().trim().min(1).max(200),
  reference: z.string().trim().min(1).max(120),
});
