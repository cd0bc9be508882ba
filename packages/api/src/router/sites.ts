import {
  archiveSite,
  createSite,
  getSite,
  listSites,
  moveSiteRegion,
  restoreSite,
  siteRegionHistory,
  siteRegionMove,
  updateSite,
} from "@consentry/core/sites";
import { siteFields, siteListFilter } from "@consentry/core/validators";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const siteId = z.object({ siteId: z.uuid() });

export const sitesRouter = router({
  list: orgProcedure("auditor")
    .input(siteListFilter)
    .query(({ ctx, input }) => {
      const { orgId: _orgId, ...filter } = input;
      return listSites({ db: ctx.db, orgId: ctx.org.id }, filter);
    }),

  byId: orgProcedure("auditor")
    .input(siteId)
    .query(({ ctx, input }) => getSite({ db: ctx.db, orgId: ctx.org.id }, { siteId: input.siteId })),

  create: orgProcedure("manager")
    .input(siteFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return createSite({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  update: orgProcedure("manager")
    .input(siteFields.extend(siteId.shape))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return updateSite({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, role: ctx.org.role }, fields);
    }),

  /** Moves the site to another region (owners only, with a reason): both regulators see the move. */
  moveRegion: orgProcedure("owner")
    .input(siteRegionMove)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...move } = input;
      return moveSiteRegion({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, role: ctx.org.role }, move);
    }),

  regionHistory: orgProcedure("auditor")
    .input(siteId)
    .query(({ ctx, input }) => siteRegionHistory({ db: ctx.db, orgId: ctx.org.id }, { siteId: input.siteId })),

  archive: orgProcedure("manager")
    .input(siteId)
    .mutation(({ ctx, input }) =>
      archiveSite({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { siteId: input.siteId }),
    ),

  restore: orgProcedure("manager")
    .input(siteId)
    .mutation(({ ctx, input }) =>
      restoreSite({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { siteId: input.siteId }),
    ),
});
