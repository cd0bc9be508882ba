import { touchMaterialChange } from "@consentry/core";
import { camerasToCsv, checkCameraCsv, placementError, placementProblem, sealRtspUrl } from "@consentry/core/cameras";
import { notFound } from "@consentry/core/errors";
import { cameraCsvInput, cameraFields, cameraListFilter, cameraUpdateFields } from "@consentry/core/validators";
import { signToken } from "@consentry/crypto";
import { and, asc, count, desc, eq, escapeLike, ilike, isNull, type SQL, schema, sql } from "@consentry/db";
import { env } from "@consentry/env";
import type { JobProducer, LeaseReader, LeaseState } from "@consentry/queue";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { cameras, sites, entryPoints, cameraStatusEvents } = schema;
const cameraId = z.object({ cameraId: z.uuid() });
export const LIVE_VIEW_TOKEN_SECONDS = 60;

const SORT_COLUMNS = {
  name: cameras.name,
  site: sites.name,
  status: cameras.status,
  lastSeen: cameras.lastSeenAt,
} as const;

const listColumns = {
  id: cameras.id,
  name: cameras.name,
  siteId: cameras.siteId,
  siteName: sites.name,
  entryPointId: cameras.entryPointId,
  locationType: cameras.locationType,
  frEnabled: cameras.frEnabled,
  analysisFps: cameras.analysisFps,
  status: cameras.status,
  lastSeenAt: cameras.lastSeenAt,
  rtspUrlMasked: cameras.rtspUrlMasked,
  disabledAt: cameras.disabledAt,
};

/** Ids of a camera of this organisation, or NOT_FOUND: the only way into a camera's row. */
async function findCamera(db: import("@consentry/db").Executor, orgId: string, id: string) {
  const [camera] = await db
    .select()
    .from(cameras)
    .where(and(eq(cameras.id, id), eq(cameras.orgId, orgId)));
  return camera ?? notFound("Camera");
}

/** Starts a first probe so a new or changed camera shows its health within seconds. */
async function probeSoon(jobs: { probeCamera(id: string): Promise<void> }, id: string) {
  // The repeatable sweep probes it anyway; a Redis outage must not undo a saved camera.
  await jobs.probeCamera(id).catch(() => {});
}

/** Inference workers drop or pick up the camera within seconds (face recognition off, moved, disabled). */
async function announceChange(jobs: JobProducer, cameraId: string) {
  // Workers also re-read their cameras every few seconds; a Redis outage only delays this.
  await jobs.invalidate({ type: "camera", cameraId }).catch(() => {});
}

/**
 * What the inference workers do with these cameras of one organisation: only their ids are
 * asked about, so no state of another organisation's camera is ever returned. `waitingForWorker`
 * counts the cameras of the whole installation waiting for a free inference slot (a capacity
 * figure, no camera named). Cameras without face recognition are not asked about; without any,
 * or when Redis does not answer, states are null.
 */
async function inferenceStates(
  leases: LeaseReader,
  rows: { id: string; frEnabled: boolean; disabledAt: Date | null }[],
): Promise<{ stateOf: (id: string) => LeaseState | null; waitingForWorker: number | null }> {
  const analysable = rows.filter((row) => row.frEnabled && !row.disabledAt).map((row) => row.id);
  // Never an error page: the camera pages work without Redis, only without these states.
  const leased = analysable.length > 0 ? await leases.read(analysable).catch(() => null) : null;
  return {
    stateOf: (id) => leased?.states.get(id) ?? null,
    waitingForWorker: leased?.counts.waiting ?? null,
  };
}

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
          .select(listColumns)
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
    .query(async ({ ctx, input }) => {
      const [camera] = await ctx.db
        .select({
          ...listColumns,
          siteCode: sites.code,
          entryPointName: entryPoints.name,
          lastProbedAt: cameras.lastProbedAt,
          probeCodec: cameras.probeCodec,
          probeWidth: cameras.probeWidth,
          probeHeight: cameras.probeHeight,
          probeFps: cameras.probeFps,
          probeLatencyMs: cameras.probeLatencyMs,
          createdAt: cameras.createdAt,
        })
        .from(cameras)
        .innerJoin(sites, eq(sites.id, cameras.siteId))
        .leftJoin(entryPoints, eq(entryPoints.id, cameras.entryPointId))
        .where(and(eq(cameras.id, input.cameraId), eq(cameras.orgId, ctx.org.id)));
      if (!camera) return notFound("Camera");
      const [history, inference] = await Promise.all([
        ctx.db
          .select({
            at: cameraStatusEvents.at,
            status: cameraStatusEvents.status,
            detail: cameraStatusEvents.detail,
            probeLatencyMs: cameraStatusEvents.probeLatencyMs,
          })
          .from(cameraStatusEvents)
          .where(eq(cameraStatusEvents.cameraId, camera.id))
          .orderBy(desc(cameraStatusEvents.at), desc(cameraStatusEvents.id))
          .limit(50),
        inferenceStates(ctx.leases, [camera]),
      ]);
      return {
        ...camera,
        history,
        inference: inference.stateOf(camera.id),
        waitingForWorker: inference.waitingForWorker,
      };
    }),

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
    .mutation(async ({ ctx, input }) => {
      const { orgId: _orgId, rtspUrl, ...fields } = input;
      const created = await ctx.db.transaction(async (tx) => {
        const problem = await placementProblem(tx, ctx.org.id, fields);
        if (problem) throw placementError(problem);
        const sealed = sealRtspUrl(rtspUrl);
        const [camera] = await tx
          .insert(cameras)
          .values({ ...fields, ...sealed, orgId: ctx.org.id })
          .returning({ id: cameras.id, name: cameras.name });
        if (!camera) throw new Error("insert returned no row");
        if (fields.frEnabled) await touchMaterialChange(tx, fields.siteId);
        await audit(tx, ctx, {
          action: "camera.create",
          targetType: "camera",
          targetId: camera.id,
          details: { ...fields, rtspUrl: sealed.rtspUrlMasked },
        });
        return camera;
      });
      await probeSoon(ctx.jobs, created.id);
      // The workers create its lease at once instead of at their next reconcile.
      if (fields.frEnabled) await announceChange(ctx.jobs, created.id);
      return created;
    }),

  /** Edit, including moving to another site or entry point; a blank URL keeps the stored one. */
  update: orgProcedure("manager")
    .input(cameraUpdateFields.extend(cameraId.shape))
    .mutation(async ({ ctx, input }) => {
      const { orgId: _orgId, cameraId: id, rtspUrl, ...fields } = input;
      await ctx.db.transaction(async (tx) => {
        const before = await findCamera(tx, ctx.org.id, id);
        const problem = await placementProblem(tx, ctx.org.id, fields);
        if (problem) throw placementError(problem);
        const sealed = rtspUrl ? sealRtspUrl(rtspUrl) : {};
        await tx
          .update(cameras)
          .set({ ...fields, ...sealed, updatedAt: new Date() })
          .where(eq(cameras.id, id));
        const changed: Record<string, unknown> = Object.fromEntries(
          Object.entries(fields).filter(([key, value]) => before[key as keyof typeof before] !== value),
        );
        if ("rtspUrlMasked" in sealed) changed.rtspUrl = sealed.rtspUrlMasked;
        const moved = fields.siteId !== before.siteId || fields.entryPointId !== before.entryPointId;
        if (fields.frEnabled && (!before.frEnabled || moved)) await touchMaterialChange(tx, fields.siteId);
        await audit(tx, ctx, {
          action: moved ? "camera.move" : "camera.update",
          targetType: "camera",
          targetId: id,
          details: { changed },
        });
      });
      if (rtspUrl) await probeSoon(ctx.jobs, id);
      await announceChange(ctx.jobs, id);
      return { id };
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
