import type { Principal } from "@consentry/auth";
import {
  jurisdictionOverview,
  jurisdictionRegionMoves,
  jurisdictionSite,
  jurisdictionSites,
  jurisdictionTrend,
  organizationsCsv,
  sitesCsv,
} from "@consentry/core/regulator";
import { type Database, writeAudit } from "@consentry/db";
import { z } from "zod";
import { regulatorProcedure, router } from "../trpc";

/**
 * Read-only views for regulators of their jurisdiction: aggregates and findings that name sites,
 * cameras and entry points. Never faces, video, names, contacts, templates or camera URLs.
 * Every view is audited, after its input is validated: a refused request shows nothing, and
 * raw input in an entry could be stored other than hashed (issue #14).
 */
type ViewContext = { db: Database; principal: Principal; regulator: { jurisdictionCodes: string[] } };
async function auditView<R>(opts: { ctx: ViewContext; path: string; input: unknown; next: () => Promise<R> }) {
  const { ctx, path, input } = opts;
  const siteId = (input as { siteId?: unknown } | undefined)?.siteId;
  await ctx.db.transaction((tx) =>
    writeAudit(tx, {
      actor: { userId: ctx.principal.userId, label: ctx.principal.email },
      orgId: null,
      action: "regulator.view",
      targetType: "jurisdiction",
      targetId: typeof siteId === "string" ? siteId : null,
      details: { view: path, jurisdictionCodes: ctx.regulator.jurisdictionCodes },
    }),
  );
  return opts.next();
}

/** A view without input; views with input add `.use(auditView)` after `.input()`. */
const viewed = regulatorProcedure.use(auditView);

export const regulatorRouter = router({
  overview: viewed.query(async ({ ctx }) => ({
    authority: ctx.regulator.authority,
    jurisdictionCodes: ctx.regulator.jurisdictionCodes,
    ...(await jurisdictionOverview(ctx.db, ctx.regulator.jurisdictionCodes)),
  })),

  /** Every site of the jurisdiction, worst first; the console sorts and filters it further. */
  sites: viewed.query(({ ctx }) => jurisdictionSites(ctx.db, ctx.regulator.jurisdictionCodes)),

  site: regulatorProcedure
    .input(z.object({ siteId: z.uuid() }))
    .use(auditView)
    .query(({ ctx, input }) => jurisdictionSite(ctx.db, ctx.regulator.jurisdictionCodes, input.siteId)),

  /** Sites that moved into, out of or within the jurisdiction: when, from, to, organisation, site. */
  regionMoves: viewed.query(({ ctx }) => jurisdictionRegionMoves(ctx.db, ctx.regulator.jurisdictionCodes)),

  trend: regulatorProcedure
    .input(
      z.object({
        days: z.union([z.literal(30), z.literal(90), z.literal(365)]),
        siteId: z.uuid().optional(),
        orgId: z.uuid().optional(),
      }),
    )
    .use(auditView)
    .query(({ ctx, input }) => jurisdictionTrend(ctx.db, ctx.regulator.jurisdictionCodes, input.days, input)),

  /** The organizations table as CSV (UTF-8 with BOM). */
  organizationsCsv: viewed.query(({ ctx }) => organizationsCsv(ctx.db, ctx.regulator.jurisdictionCodes)),

  /** The sites table as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names). */
  sitesCsv: viewed.query(({ ctx }) => sitesCsv(ctx.db, ctx.regulator.jurisdictionCodes)),
});
