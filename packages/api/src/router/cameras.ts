import {
  announceChange,
  cameraListColumns,
  camerasToCsv,
  checkCameraCsv,
  createCamera,
  findCamera,
  getCamera,
  inferenceStates,
  probeSoon,
  sealRtspUrl,
  updateCamera,
} from "@consentry/core/cameras";
import { cameraCsvInput, cameraFields, cameraListFilter, cameraUpdateFields } from "@consentry/core/validators";
import { signToken } from "@consentry/crypto";
import { and, asc, count, desc, eq, escapeLike, ilike, isNull, type SQL, schema, sql } from "@consentry/db";
import { env } from "@consentry/env";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { cameras, sites, entryPoints } = schema;
const cameraId = z.object({ cameraId: z.uuid() });
export const LIVE_VIEW_TOKEN_SECONDS = 60;

const SORT_COLUMNS = {
  name: cameras.name,
  site: sites.name,
  status: cameras.status,
  lastSeen: cameras.lastSeenAt,
} as const;

export const camerasRouter = router({
  /** The fleet page: filters, search, sort and pages, all in PostgreSQL. */
  list: orgProcedure("auditor")
    .input(cameraListFilter)
    .query(async ({ ctx, input }) => {
      const conditions: SQL[] = [eq(cameras.orgId, ctx.org.id)];
      if (input.siteId) conditions.push(eq(cameras.siteId, input.siteId));
      if (input.status) conditions.push(eq(cameras.status, input.status));
      if (input.frEnabled !== undefined) conditions.push(eq(cameras.frEnabled, input.frEnabled));
      if (input.search) conditions.push(ilike(cameras.name, `%${escapeLike(input.search)}%`));
      const where = and(...conditions);
      const order = input.direction === "asc" ? asc : desc;
      const sortColumn = SORT_COLUMNS[input.sort];
      const [items, [total]] = await Promise.all([
        ctx.db
          .select(cameraListColumns)
          .from(cameras)
          .innerJoin(sites, eq(sites.id, cameras.siteId))
          .where(where)
          .orderBy(
            input.sort === "lastSeen" ? sql`${sortColumn} ${sql.raw(input.direction)} nulls last` : order(sortColumn),
            asc(cameras.id),
          )
          .limit(input.pageSize)
          .offset((input.page - 1) * input.pageSize),
        ctx.db.select({ value: count() }).from(cameras).where(where),
      ]);
      // Each camera's `inference`: analysed, waiting (for an inference worker) or retrying (stream failing).
      const inference = await inferenceStates(ctx.leases, items);
      return {
        items: items.map((item) => ({ ...item, inference: inference.stateOf(item.id) })),
        total: total?.value ?? 0,
        page: input.page,
        pageSize: input.pageSize,
        waitingForWorker: inference.waitingForWorker,
      };
    }),

  byId: orgProcedure("auditor")
    .input(cameraId)
    .query(({ ctx, input }) => getCamera({ db: ctx.db, orgId: ctx.org.id, leases: ctx.leases }, input)),

  /** Sites and their entry points, for the camera form's pickers. */
  placements: orgProcedure("auditor").query(async ({ ctx }) => {
    const [siteRows, entryRows] = await Promise.all([
      ctx.db
        .select({ id: sites.id, name: sites.name, code: sites.code })
        .from(sites)
        .where(and(eq(sites.orgId, ctx.org.id), isNull(sites.archivedAt)))
        .orderBy(asc(sites.name)),
      ctx.db
        .select({ id: entryPoints.id, siteId: entryPoints.siteId, name: entryPoints.name })
        .from(entryPoints)
        .where(eq(entryPoints.orgId, ctx.org.id))
        .orderBy(asc(entryPoints.name)),
    ]);
    return siteRows.map((site) => ({ ...site, entryPoints: entryRows.filter((e) => e.siteId === site.id) }));
  }),

  create: orgProcedure("manager")
    .input(cameraFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...camera } = input;
      return createCamera({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, camera);
    }),

  /** Edit, including moving to another site or entry point; a blank URL keeps the stored one. */
  update: orgProcedure("manager")
    .input(cameraUpdateFields.extend(cameraId.shape))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...camera } = input;
      return updateCamera({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, camera);
    }),

  setEnabled: orgProcedure("manager")
    .input(cameraId.extend({ enabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.transaction(async (tx) => {
        await findCamera(tx, ctx.org.id, input.cameraId);
        await tx
          .update(cameras)
          .set({ disabledAt: input.enabled ? null : new Date(), updatedAt: new Date() })
          .where(eq(cameras.id, input.cameraId));
        await audit(tx, ctx, {
          action: input.enabled ? "camera.enable" : "camera.disable",
          targetType: "camera",
          targetId: input.cameraId,
        });
      });
      if (input.enabled) await probeSoon(ctx.jobs, input.cameraId);
      await announceChange(ctx.jobs, input.cameraId);
      return { id: input.cameraId, enabled: input.enabled };
    }),

  delete: orgProcedure("manager")
    .input(cameraId)
    .mutation(async ({ ctx, input }) => {
      const deleted = await ctx.db.transaction(async (tx) => {
        const camera = await findCamera(tx, ctx.org.id, input.cameraId);
        await tx.delete(cameras).where(eq(cameras.id, camera.id));
        await audit(tx, ctx, {
          action: "camera.delete",
          targetType: "camera",
          targetId: camera.id,
          details: { name: camera.name, siteId: camera.siteId, rtspUrl: camera.rtspUrlMasked },
        });
        return { id: camera.id };
      });
      await announceChange(ctx.jobs, deleted.id);
      return deleted;
    }),

  /**
   * A one-minute ticket for the live-view gateway. Watching a camera shows people's faces,
   * so it needs the operator role and every ticket is audited.
   */
  liveViewToken: orgProcedure("operator")
    .input(cameraId)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const camera = await findCamera(tx, ctx.org.id, input.cameraId);
        if (camera.disabledAt)
          throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This camera is disabled." });
        const token = signToken(
          { cameraId: camera.id, orgId: ctx.org.id, userId: ctx.principal.userId },
          env.CONSENTRY_LIVE_VIEW_SECRET,
          LIVE_VIEW_TOKEN_SECONDS,
        );
        await audit(tx, ctx, { action: "camera.live_view", targetType: "camera", targetId: camera.id });
        return { url: `${env.CONSENTRY_GATEWAY_URL}/live/${camera.id}?token=${token}` };
      }),
    ),

  exportCsv: orgProcedure("auditor").query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({
        id: cameras.id,
        name: cameras.name,
        siteCode: sites.code,
        entryPoint: entryPoints.name,
        locationType: cameras.locationType,
        frEnabled: cameras.frEnabled,
        analysisFps: cameras.analysisFps,
        rtspUrlMasked: cameras.rtspUrlMasked,
        status: cameras.status,
        lastSeenAt: cameras.lastSeenAt,
      })
      .from(cameras)
      .innerJoin(sites, eq(sites.id, cameras.siteId))
      .leftJoin(entryPoints, eq(entryPoints.id, cameras.entryPointId))
      .where(eq(cameras.orgId, ctx.org.id))
      .orderBy(asc(sites.name), asc(cameras.name));
    return { filename: `cameras-${new Date().toISOString().slice(0, 10)}.csv`, csv: camerasToCsv(rows) };
  }),

  /** Checks a CSV and shows what an import would do, row by row; writes nothing. */
  importPreview: orgProcedure("manager")
    .input(cameraCsvInput)
    .mutation(async ({ ctx, input }) => {
      const { rows, fileIssue } = await checkCameraCsv(ctx.db, ctx.org.id, input.csv);
      return {
        fileIssue: fileIssue ?? null,
        rows: rows.map(({ camera: _camera, ...row }) => row),
        validCount: rows.filter((row) => row.issues.length === 0).length,
        errorCount: rows.filter((row) => row.issues.length > 0).length,
      };
    }),

  /** Imports every row or none: one bad row refuses the whole file. */
  importCommit: orgProcedure("manager")
    .input(cameraCsvInput)
    .mutation(async ({ ctx, input }) => {
      const ids = await ctx.db.transaction(async (tx) => {
        const { rows, fileIssue } = await checkCameraCsv(tx, ctx.org.id, input.csv);
        const bad = rows.filter((row) => row.issues.length > 0);
        if (fileIssue || bad.length > 0) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: fileIssue
              ? `The file cannot be imported (${fileIssue}).`
              : `${bad.length} row(s) have problems (first at line ${bad[0]?.line}); nothing was imported.`,
          });
        }
        const values = rows.map(({ camera }) => {
          const { rtspUrl, ...fields } = camera as NonNullable<typeof camera>;
          return { ...fields, ...sealRtspUrl(rtspUrl), orgId: ctx.org.id };
        });
        const inserted: { id: string }[] = [];
        for (let i = 0; i < values.length; i += 500) {
          inserted.push(
            ...(await tx
              .insert(cameras)
              .values(values.slice(i, i + 500))
              .returning({ id: cameras.id })),
          );
        }
        await audit(tx, ctx, {
          action: "camera.import",
          targetType: "camera",
          details: { count: inserted.length, cameraIds: inserted.map((row) => row.id) },
        });
        return inserted.map((row) => row.id);
      });
      for (const id of ids) await probeSoon(ctx.jobs, id);
      return { imported: ids.length };
    }),
});
