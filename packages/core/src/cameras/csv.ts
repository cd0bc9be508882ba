import { and, type Executor, eq, isNull, schema } from "@consentry/db";
import { parse } from "csv-parse/sync";
import type { z } from "zod";
import { toCsv } from "../csv";
import { CAMERA_CSV_COLUMNS, CSV_MAX_ROWS, cameraFields } from "../validators";
import { placementProblem } from "./registry";

const { sites, entryPoints } = schema;

/** One problem in one cell, shaped like a zod issue so the web app translates both alike. */
export type RowIssue = {
  path: string[];
  code: string;
  message: string;
  minimum?: number;
  maximum?: number;
  origin?: string;
};
export type ImportRow = {
  line: number;
  name: string;
  siteCode: string;
  issues: RowIssue[];
  camera?: z.infer<typeof cameraFields>;
};

const BOOLEAN = new Map([
  ["true", true],
  ["yes", true],
  ["1", true],
  ["是", true],
  ["false", false],
  ["no", false],
  ["0", false],
  ["否", false],
  ["", false],
]);

const columnIssue = (column: string, message: string): RowIssue => ({ path: [column], code: "custom", message });

/**
 * Parses and checks a camera CSV against the organisation's sites and entry points. Every row
 * is checked (nothing is written here), so a preview can show all problems at once.
 */
export async function checkCameraCsv(
  db: Executor,
  orgId: string,
  csv: string,
): Promise<{ rows: ImportRow[]; fileIssue?: string }> {
  let records: Record<string, string>[];
  try {
    records = parse(csv.replace(/^\uFEFF/, ""), {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
    });
  } catch (error) {
    return { rows: [], fileIssue: `csvUnreadable:${(error as Error).message.slice(0, 200)}` };
  }
  if (records.length === 0) return { rows: [], fileIssue: "csvEmpty" };
  if (records.length > CSV_MAX_ROWS) return { rows: [], fileIssue: "csvTooManyRows" };
  const missing = CAMERA_CSV_COLUMNS.filter(
    (column) => column !== "entry_point" && !(column in (records[0] as object)),
  );
  if (missing.length > 0) return { rows: [], fileIssue: `csvMissingColumns:${missing.join(", ")}` };

  const orgSites = await db
    .select({ id: sites.id, code: sites.code })
    .from(sites)
    .where(and(eq(sites.orgId, orgId), isNull(sites.archivedAt)));
  const siteByCode = new Map(orgSites.map((site) => [site.code.toUpperCase(), site.id]));
  const orgEntries = await db
    .select({ id: entryPoints.id, siteId: entryPoints.siteId, name: entryPoints.name })
    .from(entryPoints)
    .where(eq(entryPoints.orgId, orgId));
  const entryByKey = new Map(orgEntries.map((entry) => [`${entry.siteId}/${entry.name.toLowerCase()}`, entry.id]));

  const seenNames = new Set<string>();
  const rows: ImportRow[] = [];
  for (const [index, record] of records.entries()) {
    const row: ImportRow = { line: index + 2, name: record.name ?? "", siteCode: record.site_code ?? "", issues: [] };
    rows.push(row);
    const siteId = siteByCode.get((record.site_code ?? "").toUpperCase());
    if (!siteId) row.issues.push(columnIssue("site_code", "unknownSite"));
    const entryName = (record.entry_point ?? "").trim();
    const entryPointId = siteId && entryName ? entryByKey.get(`${siteId}/${entryName.toLowerCase()}`) : null;
    if (siteId && entryName && !entryPointId) row.issues.push(columnIssue("entry_point", "unknownEntryPoint"));
    const frEnabled = BOOLEAN.get((record.fr_enabled ?? "").toLowerCase());
    if (frEnabled === undefined) row.issues.push(columnIssue("fr_enabled", "yesNo"));
    const fps = record.analysis_fps ? Number(record.analysis_fps) : 5;

    const parsed = cameraFields.safeParse({
      name: record.name,
      siteId: siteId ?? "00000000-0000-0000-0000-000000000000",
      entryPointId: entryPointId ?? null,
      locationType: record.location_type,
      frEnabled: frEnabled ?? false,
      analysisFps: fps,
      rtspUrl: record.rtsp_url,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = COLUMN_OF_FIELD[String(issue.path[0])] ?? String(issue.path[0]);
        row.issues.push({ ...(issue as unknown as RowIssue), path: [column] });
      }
      continue;
    }
    const key = `${siteId}/${parsed.data.name.toLowerCase()}`;
    if (seenNames.has(key)) row.issues.push(columnIssue("name", "duplicateInFile"));
    seenNames.add(key);
    if (siteId) {
      const problem = await placementProblem(db, orgId, { ...parsed.data, siteId });
      if (problem) row.issues.push(columnIssue(COLUMN_OF_FIELD[problem.field] ?? problem.field, problem.reason));
    }
    if (row.issues.length === 0) row.camera = { ...parsed.data, siteId: siteId as string };
  }
  return { rows };
}

const COLUMN_OF_FIELD: Record<string, string> = {
  name: "name",
  siteId: "site_code",
  entryPointId: "entry_point",
  locationType: "location_type",
  frEnabled: "fr_enabled",
  analysisFps: "analysis_fps",
  rtspUrl: "rtsp_url",
};

export type ExportRow = {
  id: string;
  name: string;
  siteCode: string;
  entryPoint: string | null;
  locationType: string;
  frEnabled: boolean;
  analysisFps: number;
  rtspUrlMasked: string;
  status: string;
  lastSeenAt: Date | null;
};

/** CSV of the fleet. URLs are masked: an export never carries a camera's password. */
export function camerasToCsv(rows: ExportRow[]): string {
  return toCsv(
    [...CAMERA_CSV_COLUMNS, "status", "last_seen_at", "id"],
    rows.map((row) => [
      row.name,
      row.siteCode,
      row.entryPoint,
      row.locationType,
      row.frEnabled,
      row.analysisFps,
      row.rtspUrlMasked,
      row.status,
      row.lastSeenAt,
      row.id,
    ]),
  );
}
