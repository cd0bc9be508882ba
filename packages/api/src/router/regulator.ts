import {
  jurisdictionOverview,
  jurisdictionSite,
  jurisdictionSites,
  jurisdictionTrend,
} from "@consentry/core/regulator";
import { writeAudit } from "@consentry/db";
import { stringify } from "csv-stringify/sync";
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

const CSV_COLUMNS = [
  "organisation",
  "site",
  "site_code",
  "region_code",
  "kind",
  "cameras",
  "fr_cameras",
  "score",
  "critical_findings",
  "signage_coverage",
  "consent_coverage",
  "alternative_coverage",
  "requests_on_time",
  "evaluated_at",
] as const;

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
  organizationsCsv: viewed.query(async ({ ctx }) => {
    const { organizations } = await jurisdictionOverview(ctx.db, ctx.regulator.jurisdictionCodes);
    const csv = stringify(
      organizations.map((org) => [
        org.orgName,
        org.sites,
        org.averageScore === null ? "" : Math.round(org.averageScore),
        org.critical,
        org.peopleWithTemplates,
        org.filed ? "yes" : "no",
        org.auditChainOk === null ? "" : org.auditChainOk ? "verifies" : "broken",
      ]),
      {
        header: true,
        columns: [
          "organisation",
          "sites",
          "average_score",
          "critical_findings",
          "people_with_templates",
          "filed",
          "audit_chain",
        ],
      },
    );
    return { filename: `jurisdiction-organisations-${new Date().toISOString().slice(0, 10)}.csv`, csv: `\uFEFF${csv}` };
  }),

  /** The sites table as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names). */
  sitesCsv: viewed.query(async ({ ctx }) => {
    const rows = await jurisdictionSites(ctx.db, ctx.regulator.jurisdictionCodes);
    const percent = (value: number | null) => (value === null ? "" : Math.round(value * 100));
    const csv = stringify(
      rows.map((site) => [
        site.orgName,
        site.siteName,
        site.siteCode,
        site.regionCode,
        site.kind,
        site.cameras,
        site.frCameras,
        site.score ?? "",
        site.critical,
        percent(site.coverage.signage),
        percent(site.coverage.consent),
        percent(site.coverage.alternatives),
        percent(site.coverage.requestsOnTime),
        site.snapshotAt?.toISOString() ?? "",
      ]),
      { header: true, columns: [...CSV_COLUMNS] },
    );
    return { filename: `jurisdiction-sites-${new Date().toISOString().slice(0, 10)}.csv`, csv: `\uFEFF${csv}` };
  }),
});
