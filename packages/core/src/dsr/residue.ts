import { type Executor, sql } from "@consentry/db";
import type { FileStore } from "@consentry/storage";
import { ERASING_STEPS } from "./steps";

/** Something of the subject was still there after the steps ran (written while erasing); a retry erases it. */
export class ResidualDataError extends Error {
  override name = "ResidualDataError";
}

/**
 * Tables the residual scan checks for anything left of the subject, in the order certificates
 * list them. Each is checked as the step that erases it says (`residue` in `ERASING_STEPS`).
 */
export const RESIDUAL_SCAN_TABLES = [
  "face_templates",
  "enrolment_photos",
  "enrolments",
  "recognition_events",
  "consents",
  "subjects",
] as const;
export type ResidualTable = (typeof RESIDUAL_SCAN_TABLES)[number];

const CHECKS = RESIDUAL_SCAN_TABLES.map((table) => {
  const [check, ...others] = ERASING_STEPS.flatMap((step) => (step.residue?.table === table ? [step.residue] : []));
  if (!check || others.length > 0) throw new Error(`the residual scan needs exactly one step erasing ${table}`);
  return check;
});

export type Residue = { rows: number; byTable: Record<string, number>; files: number; keysChecked: number };

/**
 * Everything that could still hold the subject's personal data: what each erasing step counts
 * as left in its table (see `ERASING_STEPS`), and the photo files removed for them.
 */
export async function scanResidue(
  db: Executor,
  storage: FileStore,
  subjectId: string,
  photoKeys: readonly string[],
): Promise<Residue> {
  const columns = CHECKS.map((check) => sql`(${check.rows(subjectId)}) as ${sql.identifier(check.table)}`);
  const [counts] = await db.execute<Record<ResidualTable, number>>(sql`select ${sql.join(columns, sql`, `)}`);
  const byTable: Record<string, number> = {};
  let rows = 0;
  for (const table of RESIDUAL_SCAN_TABLES) {
    byTable[table] = Number(counts?.[table] ?? 0);
    rows += byTable[table];
  }
  let files = 0;
  for (const key of photoKeys) {
    try {
      await storage.read(key);
      files++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return { rows, byTable, files, keysChecked: photoKeys.length };
}
