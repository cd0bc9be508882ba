import {
  checkEnrolment,
  deleteEnrolmentPhotos,
  ENROLMENT_BLOCK_MESSAGES,
  ENROLMENT_PHOTO_CONTEXT,
  type EnrolmentBlock,
  lockForEnrolment,
  type PhotoOutcome,
  type PhotoRejection,
  photoRetentionDays,
  recordedEnrolmentOutcomes,
} from "@consentry/core/enrolment";
import { decryptBytes, sealEmbedding } from "@consentry/crypto";
import { and, asc, type Database, eq, isNull, ne, schema, writeAudit } from "@consentry/db";
import { JOBS, processorFor } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { decodeImage, type FaceAnalyzer, ImageInputError } from "@consentry/vision";

const { enrolments, enrolmentPhotos, faceTemplates } = schema;
/** The actor of what the inference worker writes. */
export const SYSTEM = { userId: null, label: "inference-worker" };

type Enrolment = typeof enrolments.$inferSelect;
type Photo = typeof enrolmentPhotos.$inferSelect;
type Ending = {
  status: "done" | "failed";
  /** Why the whole enrolment failed, in English, for the record. */
  failureReason: string | null;
  stoppedBecause: EnrolmentBlock | null;
  photoOutcomes: PhotoOutcome[];
};

/**
 * The `enrollment` job: each pending photo becomes one encrypted template, or is rejected with a
 * reason (no face, several faces, unreadable) and deleted at once, file and row (a refused photo
 * may show bystanders). An accepted photo is deleted once its template is made, unless the site's
 * `enrolment_photos` retention keeps it for re-enrolment. What became of each photo stays on the
 * enrolment (`photo_outcomes`, by upload position), and why it stopped (`stopped_because`).
 *
 * Nothing is written after an erasure or withdrawal: each template is inserted in a transaction
 * holding the person's erasure lock and the consent row (`lockForEnrolment`), which re-checks
 * erased, erasing and withdrawn there. If one of them holds, the job writes nothing, deletes the
 * enrolment's photos and marks it failed with the reason. Idempotent: a retry skips finished
 * photos and finishes deleting what an interrupted run left.
 */
export function enrolmentProcessor(deps: {
  db: Database;
  storage: FileStore;
  analyzer: FaceAnalyzer;
  galleryChanged: (siteId: string) => Promise<void>;
  /** Runs inside each template's transaction once the locks are held. Tests use it to race an erasure. */
  whileLocked?: () => Promise<void>;
}) {
  const { db, storage, analyzer } = deps;
  return processorFor(JOBS.enrolment, async ({ enrolmentId }) => {
    const [enrolment] = await db.select().from(enrolments).where(eq(enrolments.id, enrolmentId));
    // Erased with its person meanwhile: nothing of it is left to work on.
    if (!enrolment) return { status: "gone" };
    if (enrolment.status === "done" || enrolment.status === "failed") {
      await deleteSpentPhotos(
        enrolment,
        enrolment.status === "failed" ? 0 : await photoRetentionDays(db, enrolment.siteId),
      );
      return { status: enrolment.status };
    }
    const photos = await db
      .select()
      .from(enrolmentPhotos)
      .where(eq(enrolmentPhotos.enrolmentId, enrolment.id))
      .orderBy(asc(enrolmentPhotos.position));
    // Photos deleted by an earlier attempt keep their outcome from what it wrote.
    const outcomes = recordedEnrolmentOutcomes(enrolment).photoOutcomes;
    for (const photo of photos) outcomes[photo.position] = outcomeOf(photo);
    for (let i = 0; i < outcomes.length; i++) outcomes[i] ??= "pending";
    await db
      .update(enrolments)
      .set({ status: "processing", photoOutcomes: outcomes })
      .where(eq(enrolments.id, enrolment.id));

    const eligibility = await checkEnrolment(db, enrolment);
    if ("refusal" in eligibility) {
      await stop(enrolment, eligibility.refusal.message, outcomes, { refusedBy: eligibility.refusal.ruleId });
      return { status: "failed" };
    }
    const retentionDays = await photoRetentionDays(db, enrolment.siteId);
    for (const photo of photos.filter((row) => row.status === "pending")) {
      const outcome = await templateFromPhoto({ storage, analyzer }, photo.storageKey);
      const block = await db.transaction(async (tx) => {
        const blocked = await lockForEnrolment(tx, {
          subjectId: enrolment.subjectId,
          consentId: eligibility.consentId,
        });
        if (blocked) return blocked;
        await deps.whileLocked?.();
        outcomes[photo.position] = "rejection" in outcome ? outcome.rejection : "accepted";
        if ("rejection" in outcome) {
          await tx
            .update(enrolmentPhotos)
            .set({ status: "rejected", rejectionReason: outcome.rejection })
            .where(eq(enrolmentPhotos.id, photo.id));
        } else {
          const [template] = await tx
            .insert(faceTemplates)
            .values({
              orgId: enrolment.orgId,
              subjectId: enrolment.subjectId,
              siteId: enrolment.siteId,
              consentId: eligibility.consentId,
              modelId: outcome.modelId,
              modelVersion: modelVersionOf(outcome.modelId),
              embeddingEnc: sealEmbedding(outcome.embedding),
            })
            .returning({ id: faceTemplates.id });
          await tx
            .update(enrolmentPhotos)
            .set({ status: "accepted", templateId: template?.id })
            .where(eq(enrolmentPhotos.id, photo.id));
        }
        await tx.update(enrolments).set({ photoOutcomes: outcomes }).where(eq(enrolments.id, enrolment.id));
        return null;
      });
      if (block) {
        await stop(enrolment, ENROLMENT_BLOCK_MESSAGES[block], outcomes, { blockedBy: block });
        return { status: "failed" };
      }
      if ("rejection" in outcome || retentionDays === 0) await deleteEnrolmentPhotos({ db, storage }, [photo.id]);
    }
    const accepted = outcomes.filter((outcome) => outcome === "accepted").length;
    await finish(
      enrolment,
      {
        status: accepted > 0 ? "done" : "failed",
        failureReason: accepted > 0 ? null : "No photo showed exactly one face.",
        stoppedBecause: null,
        photoOutcomes: outcomes,
      },
      { templates: accepted, rejected: outcomes.length - accepted, modelId: analyzer.modelId },
    );
    if (accepted > 0) {
      await retireOlderTemplates(db, { ...enrolment, modelId: analyzer.modelId });
      await deps.galleryChanged(enrolment.siteId);
    }
    return { status: accepted > 0 ? "done" : "failed", templates: accepted };
  });

  /**
   * The photos a finished enrolment no longer needs: refused ones, and accepted ones unless the
   * site keeps them (`retentionDays` > 0). After a crash between a photo's outcome and its deletion.
   */
  async function deleteSpentPhotos(enrolment: Enrolment, retentionDays: number) {
    const spent = await db
      .select({ id: enrolmentPhotos.id })
      .from(enrolmentPhotos)
      .where(
        retentionDays > 0
          ? and(eq(enrolmentPhotos.enrolmentId, enrolment.id), eq(enrolmentPhotos.status, "rejected"))
          : eq(enrolmentPhotos.enrolmentId, enrolment.id),
      );
    await deleteEnrolmentPhotos(
      { db, storage },
      spent.map((row) => row.id),
    );
  }

  /** Gives up on the enrolment: failed first (so a retry only finishes the deleting), then every photo goes. */
  async function stop(
    enrolment: Enrolment,
    message: string,
    outcomes: PhotoOutcome[],
    details: { refusedBy: string } | { blockedBy: EnrolmentBlock },
  ) {
    const stoppedBecause = "blockedBy" in details ? details.blockedBy : null;
    await finish(
      enrolment,
      { status: "failed", failureReason: message, stoppedBecause, photoOutcomes: outcomes },
      details,
    );
    await deleteSpentPhotos(enrolment, 0);
  }

  async function finish(enrolment: Enrolment, ending: Ending, details: Record<string, unknown>) {
    const { status } = ending;
    await db.transaction(async (tx) => {
      await tx
        .update(enrolments)
        .set({ ...ending, finishedAt: new Date() })
        .where(eq(enrolments.id, enrolment.id));
      await writeAudit(tx, {
        actor: SYSTEM,
        orgId: enrolment.orgId,
        action: status === "done" ? "enrolment.complete" : "enrolment.fail",
        targetType: "subject",
        targetId: enrolment.subjectId,
        details: { enrolmentId: enrolment.id, ...details },
      });
    });
  }
}

/** One stored, encrypted enrolment photo as a template of the analyser's model, or why it cannot be one. */
export async function templateFromPhoto(
  deps: { storage: FileStore; analyzer: FaceAnalyzer },
  storageKey: string,
): Promise<{ rejection: PhotoRejection } | { embedding: Float32Array; modelId: string }> {
  let image: Awaited<ReturnType<typeof decodeImage>>;
  try {
    const sealed = (await deps.storage.read(storageKey)).toString();
    image = await decodeImage(decryptBytes(sealed, ENROLMENT_PHOTO_CONTEXT));
  } catch (error) {
    if (error instanceof ImageInputError) return { rejection: "unreadable" };
    throw error;
  }
  const faces = await deps.analyzer.detect(image);
  if (faces.length === 0) return { rejection: "noFace" };
  if (faces.length > 1) return { rejection: "severalFaces" };
  return deps.analyzer.embed(image, faces[0] as (typeof faces)[number]);
}

/** The version part of a model id (`fr_feature@faceplugin-0.0.1` → `faceplugin-0.0.1`), stored beside it. */
export const modelVersionOf = (modelId: string) => modelId.split("@").at(-1) ?? modelId;

/**
 * After a new enrolment of the person at the site: their templates of older models there are
 * superseded and go at once (they could not be compared with the new one anyway).
 */
export async function retireOlderTemplates(
  db: Database,
  input: { orgId: string; subjectId: string; siteId: string; modelId: string },
): Promise<number> {
  return db.transaction(async (tx) => {
    const retired = await tx
      .delete(faceTemplates)
      .where(
        and(
          eq(faceTemplates.subjectId, input.subjectId),
          eq(faceTemplates.siteId, input.siteId),
          ne(faceTemplates.modelId, input.modelId),
          isNull(faceTemplates.deletionQueuedAt),
        ),
      )
      .returning({ id: faceTemplates.id });
    if (retired.length > 0) {
      await writeAudit(tx, {
        actor: SYSTEM,
        orgId: input.orgId,
        action: "template.delete",
        targetType: "subject",
        targetId: input.subjectId,
        details: { count: retired.length, reason: "superseded", modelId: input.modelId },
      });
    }
    return retired.length;
  });
}

function outcomeOf(photo: Photo): PhotoOutcome {
  if (photo.status === "rejected") return (photo.rejectionReason as PhotoRejection | null) ?? "unreadable";
  return photo.status;
}
