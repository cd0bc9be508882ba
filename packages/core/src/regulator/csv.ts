import type { Executor } from "@consentry/db";
import { toCsv } from "../csv";
import { type JurisdictionSite, jurisdictionOverview, jurisdictionSites } from "./jurisdiction";

// The regulator console's tables as CSV, written by the one CSV writer (formula-safe, BOM).

type OrganizationRow = Awaited<ReturnType<typeof jurisdictionOverview>>["organizations"][number];

const ORGANIZATION_COLUMNS = [
  "organisation",
  "sites",
  "average_score",
  "critical_findings",
  "people_with_templates",
  "filed",
  "audit_chain",
] as const;

const SITE_COLUMNS = [
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
  "signage_coverage_all_cameras",
  "consent_coverage",
  "alternative_coverage",
  "requests_on_time",
  "evaluated_at",
] as const;

const today = () => new Date().toISOString().slice(0, 10);
const percent = (value: number | null) => (value === null ? null : Math.round(value * 100));

export function organizationsToCsv(organizations: readonly OrganizationRow[]): string {
  return toCsv(
    ORGANIZATION_COLUMNS,
    organizations.map((org) => [
      org.orgName,
      org.sites,
      org.averageScore === null ? null : Math.round(org.averageScore),
      org.critical,
      org.peopleWithTemplates,
      org.filed ? "yes" : "no",
      org.auditChainOk === null ? null : org.auditChainOk ? "verifies" : "broken",
    ]),
  );
}

export function sitesToCsv(rows: readonly JurisdictionSite[]): string {
  return toCsv(
    SITE_COLUMNS,
    rows.map((site) => [
      site.orgName,
      site.siteName,
      site.siteCode,
      site.regionCode,
      site.kind,
      site.cameras,
      site.frCameras,
      site.score,
      site.critical,
      percent(site.coverage.signage),
      percent(site.coverage.signageAllCameras ?? null),
      percent(site.coverage.consent),
      percent(site.coverage.alternatives),
      percent(site.coverage.requestsOnTime),
      site.snapshotAt,
    ]),
  );
}

/** The organizations table of the jurisdiction. */
export async function organizationsCsv(db: Executor, codes: readonly string[]) {
  const { organizations } = await jurisdictionOverview(db, codes);
  return { filename: `jurisdiction-organisations-${today()}.csv`, csv: organizationsToCsv(organizations) };
}

/** Every site of the jurisdiction, worst first. */
export async function sitesCsv(db: Executor, codes: readonly string[]) {
  const rows = await jurisdictionSites(db, codes);
  return { filename: `jurisdiction-sites-${today()}.csv`, csv: sitesToCsv(rows) };
}
