import { requireSite } from "@consentry/core";
import { fieldError, notFound } from "@consentry/core/errors";
import { photoBytes, signFields } from "@consentry/core/validators";
import { and, asc, type Executor, eq, inArray, schema } from "@consentry/db";
import { ImageRejectedError, sanitizeImage } from "@consentry/storage";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { signs, signCameras, signEntryPoints, cameras, entryPoints } = schema;
const signId = z.object({ signId: z.uuid() });

/** Every covered camera and entry point must be at the sign's own site. */
async function checkCoverage(db: Executor, siteId: string, cameraIds: string[], entryPointIds: string[]) {
  if (cameraIds.length > 0) {
    const found = await db
      .select({ id: cameras.id })
      .from(cameras)
      .where(and(eq(cameras.siteId, siteId), inArray(cameras.id, cameraIds)));
    if (found.length !== new Set(cameraIds).size) {
      throw fieldError("invalid", "cameraIds", "notAtSite", "A covered camera is not at this site.");
    }
  }
  if (entryPointIds.length > 0) {
    const found = await db
      .select({ id: entryPoints.id })
      .from(entryPoints)
      .where(and(eq(entryPoints.siteId, siteId), inArray(entryPoints.id, entryPointIds)));
    if (found.length !== new Set(entryPointIds).size) {
      throw fieldError("invalid", "entryPointIds", "notAtSite", "A covered entry point is not at this site.");
    }
  }
}

async function setCoverage(db: Executor, id: string, cameraIds: string[], entryPointIds: string[]) {
  await db.delete(signCameras).where(eq(signCameras.signId, id));
  await db.delete(signEntryPoints).where(eq(signEntryPoints.signId, id));
  const uniqueCameras = [...new Set(cameraIds)];
  const uniqueEntries = [...new Set(entryPointIds)];
  if (uniqueCameras.length)
    await db.insert(signCameras).values(uniqueCameras.map((cameraId) => ({ signId: id, cameraId })));
  if (uniqueEntries.length) {
    await db.insert(signEntryPoints).values(uniqueEntries.map((entryPointId) => ({ signId: id, entryPointId })));
  }
}

async function findSign(db: Executor, orgId: string, id: string) {
  const [sign] = await db
    .select()
    .from(signs)
    .where(and(eq(signs.id, id), eq(signs.orgId, orgId)));
  return sign ?? notFound("Sign");
}

/** Signs that tell people face recognition is in use (CN-CAM-02), with what they cover. */
export const signsRouter = router({
  list: orgProcedure("auditor")
    .input(z.object({ siteId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      const rows = await ctx.db
        .select()
        .from(signs)
        .where(and(eq(signs.siteId, input.siteId), eq(signs.orgId, ctx.org.id)))
        .orderBy(asc(signs.location));
      const ids = rows.map((sign) => sign.id);
      const [cameraLinks, entryLinks] = ids.length
        ? await Promise.all([
            ctx.db.select().from(signCameras).where(inArray(signCameras.signId, ids)),
            ctx.db.select().from(signEntryPoints).where(inArray(signEntryPoints.signId, ids)),
          ])
        : [[], []];
      return rows.map(({ evidencePhotoPath, ...sign }) => ({
        ...sign,
        hasEvidence: evidencePhotoPath !== null && sign.evidenceSha256 !== null,
        cameraIds: cameraLinks.filter((link) => link.signId === sign.id).map((link) => link.cameraId),
        entryPointIds: entryLinks.filter((link) => link.signId === sign.id).map((link) => link.entryPointId),
      }));
    }),

  create: orgProcedure("manager")
    .input(signFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, cameraIds, entryPointIds, ...fields } = input;
      return ctx.db.transaction(async (tx) => {
        await requireSite(tx, ctx.org.id, fields.siteId);
        await checkCoverage(tx, fields.siteId, cameraIds, entryPointIds);
        const [sign] = await tx
          .insert(signs)
          .values({ ...fields, orgId: ctx.org.id, verifiedAt: fields.installedAt })
          .returning({ id: signs.id });
        if (!sign) throw new Error("insert returned no row");
        await setCoverage(tx, sign.id, cameraIds, entryPointIds);
        await audit(tx, ctx, {
          action: "sign.create",
          targetType: "sign",
          targetId: sign.id,
          details: { ...fields, cameraIds, entryPointIds },
        });
        return sign;
      });
    }),

  update: orgProcedure("manager")
    .input(signFields.omit({ siteId: true }).extend(signId.shape))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, signId: id, cameraIds, entryPointIds, ...fields } = input;
      return ctx.db.transaction(async (tx) => {
        const sign = await findSign(tx, ctx.org.id, id);
        await checkCoverage(tx, sign.siteId, cameraIds, entryPointIds);
        await tx.update(signs).set(fields).where(eq(signs.id, id));
        await setCoverage(tx, id, cameraIds, entryPointIds);
        await audit(tx, ctx, {
          action: "sign.update",
          targetType: "sign",
          targetId: id,
          details: { ...fields, cameraIds, entryPointIds },
        });
        return { id };
      });
    }),

  /** Someone checked on site that the sign is still there and readable. */
  verify: orgProcedure("operator")
    .input(signId)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        await findSign(tx, ctx.org.id, input.signId);
        const verifiedAt = new Date();
        await tx.update(signs).set({ verifiedAt }).where(eq(signs.id, input.signId));
        await audit(tx, ctx, { action: "sign.verify", targetType: "sign", targetId: input.signId });
        return { id: input.signId, verifiedAt };
      }),
    ),

  /**
   * A photo proving the sign is up. Stored re-encoded, so no EXIF (GPS, device ids) is kept,
   * under its content hash; the hash goes into the audit chain as well.
   */
  attachEvidence: orgProcedure("operator")
    .input(signId.extend({ photo: photoBytes }))
    .mutation(async ({ ctx, input }) => {
      await findSign(ctx.db, ctx.org.id, input.signId);
      const image = await sanitizeImage(input.photo).catch((error: unknown) => {
        if (error instanceof ImageRejectedError) throw fieldError("invalid", "photo", error.reason, error.message);
        throw error;
      });
      const { key, sha256 } = await ctx.storage.put("sign-evidence", image.bytes, "jpg");
      return ctx.db.transaction(async (tx) => {
        const sign = await findSign(tx, ctx.org.id, input.signId);
        await tx.update(signs).set({ evidencePhotoPath: key, evidenceSha256: sha256 }).where(eq(signs.id, sign.id));
        await audit(tx, ctx, {
          action: "sign.evidence",
          targetType: "sign",
          targetId: sign.id,
          details: { sha256, previousSha256: sign.evidenceSha256, width: image.width, height: image.height },
        });
        return { id: sign.id, sha256 };
      });
    }),

  /** Where the evidence photo is, for the route that serves it to members. */
  evidence: orgProcedure("auditor")
    .input(signId)
    .query(async ({ ctx, input }) => {
      const sign = await findSign(ctx.db, ctx.org.id, input.signId);
      if (!sign.evidencePhotoPath || !sign.evidenceSha256) return notFound("Evidence photo");
      return { key: sign.evidencePhotoPath, sha256: sign.evidenceSha256 };
    }),

  delete: orgProcedure("manager")
    .input(signId)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const sign = await findSign(tx, ctx.org.id, input.signId);
        await tx.delete(signs).where(eq(signs.id, sign.id));
        await audit(tx, ctx, {
          action: "sign.delete",
          targetType: "sign",
          targetId: sign.id,
          details: { location: sign.location, siteId: sign.siteId, evidenceSha256: sign.evidenceSha256 },
        });
        return { id: sign.id };
      }),
    ),
});
