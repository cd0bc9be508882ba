import { encryptBytes } from "@consentry/crypto";
import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import { type FileStore, ImageRejectedError, sanitizeImage } from "@consentry/storage";
import { addToOutbox, type OutboxProducer, relayAfterCommit } from "../dsr/outbox";
import { fieldError } from "../errors";
import { requireSite, requireSubject } from "../lookups";
import { checkEnrolment, ENROLMENT_PHOTO_CONTEXT } from "./eligibility";
import { ENROLMENT_BLOCK_MESSAGES, type EnrolmentBlock, lockForEnrolment } from "./guard";

const { enrolments, enrolmentPhotos } = schema;

/**
 * Starts the enrolment of a consenting person at a site from photos of them. Refused up front,
 * with the rule id, when the rules say no; the photos are stored re-encoded (no metadata) and
 * encrypted, and the `enrollment` job computes the templates.
 */
export async function createEnrolment(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: OutboxProducer; storage: FileStore },
  input: { subjectId: string; siteId: string; photos: Uint8Array[] },
) {
  const { db, orgId } = deps;
  const subject = await requireSubject(db, orgId, input.subjectId);
  await requireSite(db, orgId, input.siteId);
  const eligibility = await checkEnrolment(db, { orgId, subjectId: subject.id, siteId: input.siteId });
  if ("refusal" in eligibility) {
    const { reason, message } = eligibility.refusal;
    throw fieldError("refused", "siteId", reason, message);
  }
  // Every photo must be readable before anything is stored: a bad file changes nothing.
  const cleaned = [];
  for (const [index, photo] of input.photos.entries()) {
    try {
      cleaned.push(await sanitizeImage(photo, { maxEdge: 1600 }));
    } catch (error) {
      if (!(error instanceof ImageRejectedError)) throw error;
      throw fieldError("invalid", "photos", error.reason, `Photo ${index + 1}: ${error.message}`);
    }
  }
  const stored = await Promise.all(
    cleaned.map((image) =>
      deps.storage.put("enrolment-photo", Buffer.from(encryptBytes(image.bytes, ENROLMENT_PHOTO_CONTEXT)), "bin"),
    ),
  );
  // Under the person's erasure lock and the consent row, checked again: an erasure or withdrawal
  // that finished while the photos were prepared leaves no rows behind it.
  let blocked: EnrolmentBlock | null = null;
  const enrolment = await db.transaction(async (tx) => {
    blocked = await lockForEnrolment(tx, { subjectId: subject.id, consentId: eligibility.consentId });
    if (blocked) return null;
    const [row] = await tx
      .insert(enrolments)
      .values({ orgId, subjectId: subject.id, siteId: input.siteId, consentId: eligibility.consentId })
      .returning({ id: enrolments.id });
    if (!row) throw new Error("insert returned no row");
    await tx
      .insert(enrolmentPhotos)
      .values(
        stored.map(({ key }, position) => ({ enrolmentId: row.id, subjectId: subject.id, storageKey: key, position })),
      );
    await writeAudit(tx, {
      actor: deps.actor,
      orgId,
      action: "enrolment.create",
      targetType: "subject",
      targetId: subject.id,
      details: { pseudonym: subject.pseudonym, siteId: input.siteId, enrolmentId: row.id, photos: stored.length },
    });
    const outboxIds = await addToOutbox(tx, [{ kind: "enrol", payload: { enrolmentId: row.id } }]);
    return { ...row, outboxIds };
  });
  if (!enrolment) {
    // Fresh keys of fresh ciphertexts: no other row points to these files.
    for (const { key } of stored) await deps.storage.remove(key);
    throw fieldError("refused", "siteId", "ruleNoConsent", ENROLMENT_BLOCK_MESSAGES[blocked ?? "consentWithdrawn"]);
  }
  // After commit, so the worker always finds the rows; with Redis away the ops worker's relay
  // queues it later. `queued` says whether BullMQ already has it.
  const queued = await relayAfterCommit(deps, enrolment.outboxIds);
  return { id: enrolment.id, photos: stored.length, queued };
}
