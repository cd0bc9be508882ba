import {
  commitCameraImport,
  createCamera,
  deleteCamera,
  exportCameras,
  getCamera,
  listCameras,
  liveViewToken,
  previewCameraImport,
  setCameraEnabled,
  updateCamera,
} from "@consentry/core/cameras";
import { cameraCsvInput, cameraFields, cameraListFilter, cameraUpdateFields } from "@consentry/core/validators";
import { liveViewRequest } from "@consentry/core/video-access";
import { and, asc, eq, isNull, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

export { LIVE_VIEW_TOKEN_SECONDS } from "@consentry/core/cameras";

const { sites, entryPoints } = schema;
const cameraId = z.object({ cameraId: z.uuid() });

export const camerasRouter = router({
  /** The fleet page: filters, search, sort and pages, all in PostgreSQL. */
  list: orgProcedure("auditor")
    .input(cameraListFilter)
    .query(({ ctx, input }) => {
      const { orgId: _orgId, ...filter } = input;
      return listCameras({ db: ctx.db, orgId: ctx.org.id, leases: ctx.leases }, filter);
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
    .mutation(({ ctx, input }) =>
      setCameraEnabled(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs },
        { cameraId: input.cameraId, enabled: input.enabled },
      ),
    ),

  delete: orgProcedure("manager")
    .input(cameraId)
    .mutation(({ ctx, input }) =>
      deleteCamera({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, { cameraId: input.cameraId }),
    ),

  /**
   * A one-minute ticket for the live-view gateway. Watching a camera shows people's faces,
   * so it needs the operator role and a reason (a note for "other"); every ticket is audited and
   * opens a row of the video-access register.
   */
  liveViewToken: orgProcedure("operator")
    .input(liveViewRequest)
    .mutation(({ ctx, input }) =>
      liveViewToken(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, userId: ctx.principal.userId },
        { cameraId: input.cameraId, reason: input.reason, note: input.note },
      ),
    ),

  exportCsv: orgProcedure("auditor").query(({ ctx }) => exportCameras({ db: ctx.db, orgId: ctx.org.id })),

  /** Checks a CSV and shows what an import would do, row by row; writes nothing. */
  importPreview: orgProcedure("manager")
    .input(cameraCsvInput)
    .mutation(({ ctx, input }) => previewCameraImport({ db: ctx.db, orgId: ctx.org.id }, { csv: input.csv })),

  /** Imports every row or none: one bad row refuses the whole file. */
  importCommit: orgProcedure("manager")
    .input(cameraCsvInput)
    .mutation(({ ctx, input }) =>
      commitCameraImport({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, { csv: input.csv }),
    ),
});
