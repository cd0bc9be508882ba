import { type Database, sql } from "@consentry/db";
import { SUBJECT_ERASURE_LOCK } from "../dsr/erase-subject";

/**
 * How long an enrolment waits for the person's erasure lock. Only an erasure holds it
 * exclusively, for its whole run, so a longer wait means an erasure of this person is running.
 */
export const ENROLMENT_LOCK_TIMEOUT = "5s";

/** Why an enrolment may no longer write anything about its person. */
export const ENROLMENT_BLOCKS = ["subjectErased", "erasureInProgress", "consentWithdrawn"] as const;
export type EnrolmentBlock = (typeof ENROLMENT_BLOCKS)[number];

export const ENROLMENT_BLOCK_MESSAGES: Record<EnrolmentBlock, string> = {
  subjectErased: "This person was erased meanwhile; the photos were deleted and no template was made.",
  erasureInProgress: "An erasure of this person is in progress; the photos were deleted and no template was made.",
  consentWithdrawn: "The consent was withdrawn meanwhile; the photos were deleted and no template was made.",
};

/**
 * Call first in the transaction that writes an enrolment's rows or templates. Takes the person's
 * erasure lock shared (enrolments never wait for each other; an erasure takes it exclusively and
 * waits for this transaction) and the consent row for share (a withdrawal waits for this
 * transaction, or this one sees its withdrawal), then says what forbids the write, if anything.
 * A running erasure (the lock not granted in time) is an answer, not an error: the wait runs in a
 * savepoint, so the transaction goes on to delete the enrolment's inputs.
 */
export async function lockForEnrolment(
  tx: Parameters<Parameters<Database["transaction"]>[0]>[0],
  input: { subjectId: string; consentId: string },
): Promise<EnrolmentBlock | null> {
  const locked = await tx
    .transaction(async (savepoint) => {
      await savepoint.execute(sql.raw(`set local lock_timeout = '${ENROLMENT_LOCK_TIMEOUT}'`));
      await savepoint.execute(
        sql`select pg_advisory_xact_lock_shared(${SUBJECT_ERASURE_LOCK}::int, hashtext(${input.subjectId}))`,
      );
      return true;
    })
    .catch((error: unknown) => {
      if (errorCode(error) === "55P03") return false;
      throw error;
    });
  if (!locked) return "erasureInProgress";
  const [state] = await tx.execute<{ erased: boolean; erasing: boolean; consent_active: boolean }>(sql`
    select
      exists (select 1 from subjects where id = ${input.subjectId} and erased_at is not null) as erased,
      exists (select 1 from dsr_erasures where subject_id = ${input.subjectId} and completed_at is null)
        or exists (select 1 from dsr_requests where subject_id = ${input.subjectId}
                   and type = 'deletion' and status = 'approved') as erasing,
      coalesce((select withdrawn_at is null from consents where id = ${input.consentId} for share), false)
        as consent_active`);
  if (!state || state.erased) return "subjectErased";
  if (state.erasing) return "erasureInProgress";
  if (!state.consent_active) return "consentWithdrawn";
  return null;
}

/** A database error's code (SQLSTATE or errno name) through its wrappers (drizzle's query error); never its message. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
