import { type Executor, sql } from "@consentry/db";
import { mailTo } from "@consentry/mail/dev-server";
import { findPersonJobs } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { namesPersonById } from "../compliance/snapshots";
import { type ErasureReach, missingEnrolments, personNeedles } from "./person";
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
  "dsr_requests",
] as const;
export type ResidualTable = (typeof RESIDUAL_SCAN_TABLES)[number];

const CHECKS = RESIDUAL_SCAN_TABLES.map((table) => {
  const [check, ...others] = ERASING_STEPS.flatMap((step) => (step.residue?.table === table ? [step.residue] : []));
  if (!check || others.length > 0) throw new Error(`the residual scan needs exactly one step erasing ${table}`);
  return check;
});

/**
 * Places checked beside the tables the steps erase: audit entries written since the erasure
 * began (pseudonym only: never their contact, nor a name or contact field), compliance snapshots
 * since the person was added (pseudonym only: never their contact, the id of the person, their
 * consents or requests, nor a person target's id, such as a template's), BullMQ jobs in Redis
 * naming the person or a deleted enrolment, and the dev mailbox. Redis and the mailbox only when
 * the erasure was given them.
 */
export const RESIDUAL_SCAN_PLACES = ["audit_log", "compliance_snapshots", "redis", "dev_mailbox"] as const;
export type ResidualPlace = (typeof RESIDUAL_SCAN_PLACES)[number];

/** Keys an entry about the person must never carry in its details (their values are names or contacts). */
const PERSONAL_DETAIL_KEYS = ["displayName", "name", "email", "phone", "guardianName"];

export type Residue = { rows: number; byTable: Record<string, number>; files: number; keysChecked: number };

/** What else a scan looks at: the request being erased (its contact names the person) and where else to look. */
export type ResidueScope = ErasureReach & { requestId?: string };

/**
 * Everything that could still hold the subject's personal data: what each erasing step counts
 * as left in its table (see `ERASING_STEPS`), the files removed for them (`storageKeys`: their
 * enrolment photos and their recognition events' snapshots, as the steps recorded them), and
 * (with a `requestId`) the places of `RESIDUAL_SCAN_PLACES` (`byTable` names them too).
 */
export async function scanResidue(
  db: Executor,
  storage: FileStore,
  subjectId: string,
  storageKeys: readonly string[],
  scope: ResidueScope = {},
): Promise<Residue> {
  const columns = CHECKS.map((check) => sql`(${check.rows(subjectId)}) as ${sql.identifier(check.table)}`);
  const [counts] = await db.execute<Record<ResidualTable, number>>(sql`select ${sql.join(columns, sql`, `)}`);
  const byTable: Record<string, number> = {};
  let rows = 0;
  for (const table of RESIDUAL_SCAN_TABLES) {
    byTable[table] = Number(counts?.[table] ?? 0);
    rows += byTable[table];
  }
  if (scope.requestId) {
    const places = await scanPlaces(db, subjectId, { ...scope, requestId: scope.requestId });
    for (const [place, count] of Object.entries(places)) {
      byTable[place] = count;
      rows += count;
    }
  }
  let files = 0;
  for (const key of storageKeys) {
    try {
      await storage.read(key);
      files++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return { rows, byTable, files, keysChecked: storageKeys.length };
}

/** Which of `RESIDUAL_SCAN_PLACES` this scope checks. */
export const placesChecked = (scope: ErasureReach): ResidualPlace[] =>
  RESIDUAL_SCAN_PLACES.filter(
    (place) => (place !== "redis" || scope.redis) && (place !== "dev_mailbox" || scope.devMailboxDir),
  );

async function scanPlaces(
  db: Executor,
  subjectId: string,
  scope: ErasureReach & { requestId: string },
): Promise<Partial<Record<ResidualPlace, number>>> {
  const { pseudonym, emails, texts } = await personNeedles(db, scope.requestId, subjectId);
  const mentions = (column: ReturnType<typeof sql>) =>
    texts.length
      ? sql.join(
          texts.map((text) => sql`position(${text.toLowerCase()} in lower(${column}::text)) > 0`),
          sql` or `,
        )
      : sql`false`;
  const [found] = await db.execute<{ audit_log: number; compliance_snapshots: number }>(sql`select
      (select count(*)::int from audit_log a
         where a.org_id = (select org_id from subjects where id = ${subjectId})
           and a.at >= coalesce((select started_at from dsr_erasures where request_id = ${scope.requestId}), now())
           and (${mentions(sql`a.details`)}
             or (a.details ?| array[${sql.join(
               PERSONAL_DETAIL_KEYS.map((key) => sql`${key}`),
               sql`, `,
             )}]::text[]
               and (a.target_id in (${subjectId}, ${scope.requestId})
                 or position(${subjectId} in a.details::text) > 0
                 or position(${pseudonym ?? subjectId} in a.details::text) > 0)))) as audit_log,
      (select count(*)::int from compliance_snapshots c
         where c.org_id = (select org_id from subjects where id = ${subjectId})
           and c.at >= (select created_at from subjects where id = ${subjectId})
           and (${mentions(sql`c.findings`)} or ${mentions(sql`c.coverage`)}
             or ${namesPersonById(sql`c.findings`)}
             or exists (select 1 from (
                 select ${subjectId}::text as id union all select ${scope.requestId}::text
                 union all select id::text from consents where subject_id = ${subjectId}
                 union all select id::text from dsr_requests where subject_id = ${subjectId}) ids
               where position(ids.id in c.findings::text) > 0))) as compliance_snapshots`);
  const places: Partial<Record<ResidualPlace, number>> = {
    audit_log: Number(found?.audit_log ?? 0),
    compliance_snapshots: Number(found?.compliance_snapshots ?? 0),
  };
  if (scope.redis) {
    const jobs = await findPersonJobs(scope.redis.client, scope.redis.prefix, {
      subjectId,
      needles: [...(pseudonym ? [pseudonym] : []), ...texts],
      missingEnrolments: (ids) => missingEnrolments(db, ids),
    });
    places.redis = jobs.length;
  }
  if (scope.devMailboxDir) {
    let mail = 0;
    for (const email of emails) mail += (await mailTo(scope.devMailboxDir, email)).length;
    places.dev_mailbox = mail;
  }
  return places;
}
