import { checkEnrolment, ENROLMENT_PHOTO_CONTEXT } from "@consentry/core/enrolment";
import { decryptBytes, sealEmbedding } from "@consentry/crypto";
import { and, asc, type Database, eq, schema, writeAudit } from "@consentry/db";
import { JOBS, processorFor } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { decodeImage, type FaceAnalyzer, ImageInputError } from "@consentry/vision";
import { UnrecoverableError } from "bullmq";

const { enrolments, enrolmentPhotos, faceTemplates } = schema;
const SYSTEM = { userId: null, label: "inference-worker" };

export type PhotoRejection = "noFace" | "severalFaces" | "unreadable";

/**
 * The `enrollment` job: each pending photo becomes one encrypted template, or is rejected with a
 * reason (no face, several faces, unreadable). The consent is checked again here, since it may
 * have been withdrawn since the upload. Idempotent: finished photos are skipped on a retry.
 */
export function enrolmentProcessor(deps: {
  db: Database;
  storage: FileStore;
  analyzer: FaceAnalyzer;
  galleryChanged: (siteId: string) => Promise<void>;
}) {
  const { db, storage, analyzer } = deps;
  return processorFor(JOBS.enrolment, async ({ enrolmentId }) => {
    const [enrolment] = await db.select().from(enrolments).where(eq(enrolments.id, enrolmentId));
    if (!enrolment) throw new UnrecoverableError("enrolment not found");
    if (enrolment.status === "done" || enrolment.status === "failed") return { status: enrolment.status };
    await db.update(enrolments).set({ status: "processing" }).where(eq(enrolments.id, enrolment.id));

    const eligibility = await checkEnrolment(db, enrolment);
    if ("refusal" in eligibility) {
      await finish(enrolment, "failed", eligibility.refusal.message, { refusedBy: eligibility.refusal.ruleId });
      return { status: "failed" };
    }
    const photos = await db
      .select()
      .from(enrolmentPhotos)
      .where(and(eq(enrolmentPhotos.enrolmentId, enrolment.id), eq(enrolmentPhotos.status, "pending")))
      .orderBy(asc(enrolmentPhotos.position));
    for (const photo of photos) {
      const outcome = await templateFromPhoto(photo.storageKey);
      await db.transaction(async (tx) => {
        if ("rejection" in outcome) {
          await tx
            .update(enrolmentPhotos)
            .set({ status: "rejected", rejectionReason: outcome.rejection })
            .where(eq(enrolmentPhotos.id, photo.id));
          return;
        }
        const [template] = await tx
          .insert(faceTemplates)
          .values({
            orgId: enrolment.orgId,
            subjectId: enrolment.subjectId,
            siteId: enrolment.siteId,
            consentId: eligibility.consentId,
            modelId: outcome.modelId,
            modelVersion: outcome.modelId.split("@").at(-1) ?? outcome.modelId,
            embeddingEnc: sealEmbedding(outcome.embedding),
          })
          .returning({ id: faceTemplates.id });
        await tx
          .update(enrolmentPhotos)
          .set({ status: "accepted", templateId: template?.id })
          .where(eq(enrolmentPhotos.id, photo.id));
      });
    }
    const all = await db
      .select({ status: enrolmentPhotos.status })
      .from(enrolmentPhotos)
      .where(eq(enrolmentPhotos.enrolmentId, enrolment.id));
    const accepted = all.filter((photo) => photo.status === "accepted").length;
    await finish(
      enrolment,
      accepted > 0 ? "done" : "failed",
      accepted > 0 ? null : "No photo showed exactly one face.",
      {
        templates: accepted,
        rejected: all.length - accepted,
        modelId: analyzer.modelId,
      },
    );
    if (accepted > 0) await deps.galleryChanged(enrolment.siteId);
    return { status: accepted > 0 ? "done" : "failed", templates: accepted };
  });

  async function templateFromPhoto(
    storageKey: string,
  ): Promise<{ rejection: PhotoRejection } | { embedding: Float32Array; modelId: string }> {
    let image: Awaited<ReturnType<typeof decodeImage>>;
    try {
      const sealed = (await storage.read(storageKey)).toString();
      image = await decodeImage(decryptBytes(sealed, ENROLMENT_PHOTO_CONTEXT));
    } catch (error) {
      if (error instanceof ImageInputError) return { rejection: "unreadable" };
      throw error;
    }
    const faces = await analyzer.detect(image);
    if (faces.length === 0) return { rejection: "noFace" };
    if (faces.length > 1) return { rejection: "severalFaces" };
    return analyzer.embed(image, faces[0] as (typeof faces)[number]);
  }

  async function finish(
    enrolment: typeof enrolments.$inferSelect,
    status: "done" | "failed",
    failureReason: string | null,
    details: Record<string, unknown>,
  ) {
    await db.transaction(async (tx) => {
      await tx
        .update(enrolments)
        .set({ status, failureReason, finishedAt: new Date() })
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
