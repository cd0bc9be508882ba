import { type Database, eq, schema, sql } from "@consentry/db";
import type { FileStore } from "@consentry/storage";
import { completedResult, type ErasureResult, issueCertificate } from "./certificate";
import type { ErasureReach } from "./person";
import { ErasureRefusedError, erasableSubject, loadRequest, type RequestRow } from "./request";
import { placesChecked, ResidualDataError, scanResidue } from "./residue";
import { ERASING_STEPS, type StepContext, type StepDefinition } from "./steps";

const { dsrErasures, subjects } = schema;

/** Class id of the per-subject erasure lock (two-key advisory locks never collide with one-key ones). */
export const SUBJECT_ERASURE_LOCK = 0x64737200;
/** A subject's erasure waits this long for another erasure of the same subject before giving up (and retrying). */
const SUBJECT_LOCK_TIMEOUT = "60s";
/** Runs of the steps before residual data (written while erasing) fails the attempt. */
const MAX_PASSES = 3;

/**
 * The last step: nothing of the subject may be left. Residual data (written while erasing) has
 * every step run again, up to MAX_PASSES runs in all.
 */
async function residualScan({ db, storage, requestId, subjectId, pass, redis, devMailboxDir }: StepContext) {
  const [progress] = await db.select().from(dsrErasures).where(eq(dsrErasures.requestId, requestId));
  const residue = await scanResidue(db, storage, subjectId, progress?.photoKeys ?? [], {
    requestId,
    redis,
    devMailboxDir,
  });
  if (residue.rows + residue.files === 0) return;
  if (pass === MAX_PASSES) {
    throw new ResidualDataError(
      `subject ${subjectId} still has data after ${pass} passes: ${JSON.stringify(residue.byTable)}, ${residue.files} file(s)`,
    );
  }
  return "again" as const;
}

/** Every step, in the order they run. */
const STEPS = [
  ...ERASING_STEPS,
  { name: "residualScan", run: residualScan, residue: null },
] as const satisfies readonly StepDefinition[];

type NamesOf<Steps extends readonly StepDefinition[]> = { readonly [K in keyof Steps]: Steps[K]["name"] };

/** The steps in order. Each commits on its own; `afterStep` runs after each one. */
export const ERASURE_STEPS = STEPS.map((step) => step.name) as unknown as NamesOf<typeof STEPS>;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

export type EraseSubjectOptions = ErasureReach & {
  db: Database;
  storage: FileStore;
  requestId: string;
  now?: Date;
  /** Runs after each step has committed. Tests throw from it to simulate a crash between steps. */
  afterStep?: (step: ErasureStep) => void | Promise<void>;
};

/**
 * Erases everything held about the subject of an approved deletion request and issues the
 * deletion certificate (CN-PI-03). Idempotent and resumable:
 * - every step deletes and adds its counts to `dsr_erasures` in one transaction, so a run that
 *   dies between (or inside) steps is resumed by running all steps again; finished steps find
 *   nothing more and add zero, and the certificate's counts equal an uninterrupted run's;
 * - a request that is already completed returns its stored certificate and does nothing;
 * - erasures of one subject are serialised by a transaction-level advisory lock held (on a
 *   connection of its own) for the whole run, so of two requests for one person the first
 *   erases everything and the second finds nothing left: its certificate counts zero and says
 *   `alreadyErased`. The lock dies with the connection, so a killed worker never leaves it held.
 *   The pool therefore needs a connection more than the erasures running at once.
 */
export async function eraseSubjectForRequest(options: EraseSubjectOptions): Promise<ErasureResult> {
  const { db, requestId } = options;
  const request = await loadRequest(db, requestId);
  if (request) {
    const done = await completedResult(db, request);
    if (done) return done;
  }
  const subjectId = erasableSubject(request);

  return db.transaction(async (lock) => {
    await lock.execute(sql.raw(`set local lock_timeout = '${SUBJECT_LOCK_TIMEOUT}'`));
    await lock.execute(sql`select pg_advisory_xact_lock(${SUBJECT_ERASURE_LOCK}::int, hashtext(${subjectId}))`);
    // Another run of this request may have finished while this one waited.
    const current = await loadRequest(db, requestId);
    if (current) {
      const done = await completedResult(db, current);
      if (done) return done;
    }
    if (erasableSubject(current) !== subjectId) {
      throw new Error(`request ${requestId} was linked to another person meanwhile; the retry locks that one`);
    }
    return runErasure({ ...options, request: current as NonNullable<RequestRow>, subjectId });
  });
}

async function runErasure(
  options: EraseSubjectOptions & { request: NonNullable<RequestRow>; subjectId: string },
): Promise<ErasureResult> {
  const { db, storage, request, subjectId, now = new Date() } = options;
  const requestId = request.id;
  const afterStep = options.afterStep ?? (() => {});

  const [subject] = await db
    .select({ orgId: subjects.orgId, erasedAt: subjects.erasedAt })
    .from(subjects)
    .where(eq(subjects.id, subjectId));
  if (!subject || subject.orgId !== request.orgId) {
    throw new ErasureRefusedError(`request ${requestId} names a person outside its organisation`);
  }
  // Read under the lock, so a second request sees the first one's erasure.
  await db
    .insert(dsrErasures)
    .values({ requestId, subjectId, subjectAlreadyErased: subject.erasedAt !== null, startedAt: now })
    .onConflictDoNothing();
  await db
    .update(dsrErasures)
    .set({ attempts: sql`${dsrErasures.attempts} + 1` })
    .where(eq(dsrErasures.requestId, requestId));

  const { redis, devMailboxDir } = options;
  const step = { db, storage, requestId, subjectId, referenceCode: request.referenceCode, now, redis, devMailboxDir };
  passes: for (let pass = 1; ; pass++) {
    const context: StepContext = { ...step, pass };
    for (const { name, run } of STEPS) {
      if ((await run(context)) === "again") continue passes;
      await afterStep(name);
    }
    break;
  }
  return issueCertificate(db, request, subjectId, now, placesChecked({ redis, devMailboxDir }));
}
