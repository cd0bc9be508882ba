import type { Database } from "@consentry/db";
import { notFound } from "../errors";
import { findSign } from "./find-sign";

/** Where the evidence photo is, for the route that serves it to members. */
export async function signEvidence(deps: { db: Database; orgId: string }, input: { signId: string }) {
  const sign = await findSign(deps.db, deps.orgId, input.signId);
  if (!sign.evidencePhotoPath || !sign.evidenceSha256) return notFound("Evidence photo");
  return { key: sign.evidencePhotoPath, sha256: sign.evidenceSha256 };
}
