import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { DomainError } from "../errors";
import { checkCameraCsv } from "./csv";
import { probeSoon } from "./notify-workers";
import { sealRtspUrl } from "./registry";

const { cameras } = schema;

/** Checks a CSV and shows what an import would do, row by row; writes nothing. */
export async function previewCameraImport(deps: { db: Database; orgId: string }, input: { csv: string }) {
  const { rows, fileIssue } = await checkCameraCsv(deps.db, deps.orgId, input.csv);
  return {
    fileIssue: fileIssue ?? null,
    rows: rows.map(({ camera: _camera, ...row }) => row),
    validCount: rows.filter((row) => row.issues.length === 0).length,
    errorCount: rows.filter((row) => row.issues.length > 0).length,
  };
}

/** Imports every row or none: one bad row refuses the whole file. */
export async function commitCameraImport(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "probeCamera"> },
  input: { csv: string },
) {
  const ids = await deps.db.transaction(async (tx) => {
    const { rows, fileIssue } = await checkCameraCsv(tx, deps.orgId, input.csv);
    const bad = rows.filter((row) => row.issues.length > 0);
    if (fileIssue || bad.length > 0) {
      throw new DomainError(
        "invalid",
        fileIssue
          ? `The file cannot be imported (${fileIssue}).`
          : `${bad.length} row(s) have problems (first at line ${bad[0]?.line}); nothing was imported.`,
      );
    }
    const values = rows.map(({ camera }) => {
      const { rtspUrl, ...fields } = camera as NonNullable<typeof camera>;
      return { ...fields, ...sealRtspUrl(rtspUrl), orgId: deps.orgId };
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
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "camera.import",
      targetType: "camera",
      details: { count: inserted.length, cameraIds: inserted.map((row) => row.id) },
    });
    return inserted.map((row) => row.id);
  });
  for (const id of ids) await probeSoon(deps.jobs, id);
  return { imported: ids.length };
}
