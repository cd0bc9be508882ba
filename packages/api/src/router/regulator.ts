import {
  jurisdictionOverview,
  jurisdictionRegionMoves,
  jurisdictionSite,
  jurisdictionSites,
  jurisdictionTrend,
  organizationsCsv,
  sitesCsv,
} from "@consentry/core/regulator";
import { writeAudit } from "@consentry/db";
import { z } from "zod";
import { regulatorProcedure, router } from "../trpc";

/**
 * Read-only views for regulators of their jurisdiction: aggregates and findings that name sites,
 * cameras and entry points. Never faces, video, names, contacts, templates or camera URLs.
 * Every view is audited.
 */
const viewed = regulatorProcedure.use(async ({ ctx, path, getRawInput, next }) => {
  const input = (await getRawInput().catch(() => undefined)) as Record<string, unknown> | undefined;
  await ctx.db.transaction((tx) =>
    writeAudit(tx, {
      actor: { userId: ctx.principal.userId, label: ctx.principal.email },
      orgId: null,
      action: "regulator.view",
      targetType: "jurisdiction",
      targetId: typeof input?.siteId === "string" ? input.siteId : null,
      details: { view: path, jurisdictionCodes: ctx.regulator.jurisdictionCodes },
    }),
  );
  return next();
});

export const regulatorRouter = router({
  overview: viewed.query(async ({ ctx }) => ({
    authority: ctx.regulator.authority,
    jurisdictionCodes: ctx.regulator.jurisdictionCodes,
    ...(await jurisdictionOverview(ctx.db, ctx.regulator.jurisdictionCodes)),
  })),

  /** Every site of the jurisdiction, worst first; the console sorts and filters it further. */
  sites: viewed.query(({ ctx }) => jurisdictionSites(ctx.db, ctx.regulator.jurisdictionCodes)),

  site: viewed
    .input(z.object({ siteId: z.uuid() }))
    .query(({ ctx, input }) => jurisdictionSite(ctx.db, ctx.regulator.jurisdictionCodes, input.siteId)),

  /** Sites that moved into, out of or within the jurisdiction: when, from, to, organisation, site. */
  regionMoves: viewed.query(({ ctx }) => jurisdictionRegionMoves(ctx.db, ctx.regulator.jurisdictionCodes)),

  trend: viewed
    .input(
      z.object({
        days: z.union([z.literal(30), z.literal(90), z.literal(365)]),
        siteId: z.uuid().optional(),
        orgId: z.uuid().optional(),
      }),
    )
    .query(({ ctx, input }) => jurisdictionTrend(ctx.db, ctx.regulator.jurisdictionCodes, input.days, input)),

  /** The organizations table as CSV (UTF-8 with BOM). */
  organizationsCsv: viewed.query(({ ctx }) => organizationsCsv(ctx.db, ctx.regulator.jurisdictionCodes)),

  /** The sites table as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names). */
  sitesCsv: viewed.query(({ ctx }) => sitesCsv(ctx.db, ctx.regulator.jurisdictionCodes)),
});
