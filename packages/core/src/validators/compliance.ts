import { z } from "zod";
import { exportSafeText, storableDate, text } from "./common";

/** Purposes a person can consent to. */
export const ENTRY_PURPOSES = ["entry_verification", "check_in", "payment", "monitoring"] as const;
/**
 * Purposes an entry point can state: those, plus public security, which rests on the law, not on
 * anyone's consent (CN-FR-12; PIPL 26), so it is not a consent purpose.
 */
export const ENTRY_POINT_PURPOSES = [...ENTRY_PURPOSES, "public_security"] as const;
export const ALTERNATIVE_METHODS = ["key_card", "pin", "qr", "staff_check", "id_document", "other"] as const;
export const SIGN_LANGUAGES = ["zh-CN", "en", "ja", "ko", "other"] as const;

export const entryPointFields = z.object({
  siteId: z.uuid(),
  name: exportSafeText(1, 120),
  purpose: z.enum(ENTRY_POINT_PURPOSES).nullable(),
  necessityNote: text().trim().max(2000).nullable(),
  faceRecognition: z.boolean(),
  faceIsDefault: z.boolean(),
  isPublicPlace: z.boolean(),
  /** How the capture area is limited (public-security FR in a public place, CN-FR-12); left as it is when absent. */
  captureAreaNote: text().trim().max(2000).nullable().optional(),
  alternatives: z.array(z.enum(ALTERNATIVE_METHODS)).max(ALTERNATIVE_METHODS.length),
});

const date = storableDate().refine((value) => value.getTime() <= Date.now() + 86_400_000, { error: "futureDate" });

export const signFields = z.object({
  siteId: z.uuid(),
  location: exportSafeText(1, 200),
  text: text().trim().min(1).max(4000),
  languages: z.array(z.enum(SIGN_LANGUAGES)).min(1).max(SIGN_LANGUAGES.length),
  installedAt: date,
  cameraIds: z.array(z.uuid()).max(500),
  entryPointIds: z.array(z.uuid()).max(200),
});

/** Uploaded photos (sign evidence, enrolment) are capped before decoding. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const photoBytes = z
  .instanceof(Uint8Array)
  .refine((bytes) => bytes.byteLength > 0, { error: "emptyFile" })
  .refine((bytes) => bytes.byteLength <= MAX_PHOTO_BYTES, { error: "fileTooLarge" });
