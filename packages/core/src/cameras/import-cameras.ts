import { type AuditActor, type Database, type Executor, inArray, schema, writeAudit } from "@consentry/db";
import { cameraUrlFingerprint, loadNetworkPolicy } from "@consentry/network";
import type { JobProducer } from "@consentry/queue";
import { DomainError } from "../errors";
import { checkCameraCsv, type ImportRow } from "./csv";
import { probeSoon } from "./notify-workers";
import { checkRtspUrls, NETWORK_REFUSAL_KEYS, rethrowUrlTaken, sealRtspUrl } from "./registry";

const { cameras } = schema;

type CheckedRow = ImportRow & { detail?: string };

/**
 * The CSV's own checks, then the network policy on every URL (names resolved a few at a time)
 * and one camera per stream: not twice in the file, not already registered anywhere.
 */
async function checkImport(db: Executor, orgId: string, csv: string) {
  const { rows, fileIssue } = await checkCameraCsv(db, orgId, csv);
  const checked = rows as CheckedRow[];
  const candidates = checked.filter((row) => row.camera);
  const policy = await loadNetworkPolicy(db, orgId);
  const verdicts = await checkRtspUrls(
    policy,
    candidates.map((row) => row.camera?.rtspUrl as string),
  );
  const fingerprints = candidates.map((row) => cameraUrlFingerprint(row.camera?.rtspUrl as string));
  const taken = new Set<string>();
  for (let i = 0; i < fingerprints.length; i += 1000) {
    const existing = await db
      .select({ fingerprint: cameras.rtspUrlFingerprint })
      .from(cameras)
      .where(inArray(cameras.rtspUrlFingerprint, fingerprints.slice(i, i + 1000)));
    for (const { fingerprint } of existing) if (fingerprint) taken.add(fingerprint);
  }
  const seen = new Set<string>();
  for (const [index, row] of candidates.entries()) {
    const verdict = verdicts[index];
    const fingerprint = fingerprints[index] as string;
    const refuse = (message: string, detail: string) => {
      row.issues.push({ path: ["rtsp_url"], code: "custom", message });
      row.detail ??= detail;
      delete row.camera;
    };
    if (verdict && !verdict.ok) refuse(NETWORK_REFUSAL_KEYS[verdict.reason], verdict.detail);
    else if (taken.has(fingerprint)) refuse("rtspTaken", "this camera URL is already registered.");
    else if (seen.has(fingerprint)) refuse("rtspDuplicateInFile", "the same camera URL is on an earlier line.");
    seen.add(fingerprint);
  }
  return { rows: checked, fileIssue };
}

/** Checks a CSV and shows what an import would do, row by row; writes nothing. */
export async function previewCameraImport(deps: { db: Database; orgId: string }, input: { csv: string }) {
  const { rows, fileIssue } = await checkImport(deps.db, deps.orgId, input.csv);
  return {
    fileIssue: fileIssue ?? null,
    rows: rows.map(({ camera: _camera, detail: _detail, ...row }) => row),
    validCount: rows.filter((row) => row.issues.length === 0).length,
    errorCount: rows.filter((row) => row.issues.length > 0).length,
  };
}

/** Imports every row or none: one bad row refuses the whole file. */
export async function commitCameraImport(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "probeCamera"> },
  input: { csv: string },
) {
  const ids = await deps.db
    .transaction(async (tx) => {
      const { rows, fileIssue } = await checkImport(tx, deps.orgId, input.csv);
      const bad = rows.filter((row) => row.issues.length > 0);
      if (fileIssue || bad.length > 0) {
        const first = bad[0];
        const why = first?.detail
          ? ` line ${first.line}, rtsp_url: ${first.detail}`
          : ` first at line ${first?.line}: ${first?.issues.map((issue) => `${issue.path[0]} ${issue.message}`).join(", ")}`;
        throw new DomainError(
          "invalid",
          fileIssue
            ? `The file cannot be imported (${fileIssue}).`
            : `${bad.length} row(s) have problems (${why.trim()}); nothing was imported.`,
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
    })
    .catch(rethrowUrlTaken);
  for (const id of ids) await probeSoon(deps.jobs, id);
  return { imported: ids.length };
}
