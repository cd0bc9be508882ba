import type { Executor } from "@consentry/db";
import { stringify } from "csv-stringify/sync";
import { jurisdictionOverview, jurisdictionSites } from "./jurisdiction";

// The regulator console's tables as CSV: UTF-8 with BOM, so spreadsheet programs read the Chinese names.

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

/** The organizations table of the jurisdiction. */
export async function organizationsCsv(db: Executor, codes: readonly string[]) {
  const { organizations } = await jurisdictionOverview(db, codes);
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
}

/** Every site of the jurisdiction, worst first. */
export async function sitesCsv(db: Executor, codes: readonly string[]) {
  const rows = await jurisdictionSites(db, codes);
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
}
