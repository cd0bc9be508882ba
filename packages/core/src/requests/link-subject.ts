import { type AuditActor, and, type Database, eq, isNull, schema, writeAudit } from "@consentry/db";
import { notFound } from "../errors";
import { findOpenRequest } from "./find-open-request";

const { dsrRequests, subjects } = schema;

/** Names the person the request is about, by the pseudonym the site gave them. */
export function linkSubject(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { requestId: string; pseudonym: string },
) {
  return deps.db.transaction(async (tx) => {
    const request = await findOpenRequest(tx, deps.orgId, input.requestId);
    const [subject] = await tx
      .select({ id: subjects.id })
      .from(subjects)
      .where(and(eq(subjects.orgId, deps.orgId), eq(subjects.pseudonym, input.pseudonym), isNull(subjects.erasedAt)));
    if (!subject) return notFound("Subject", `Nobody with the pseudonym ${input.pseudonym}.`);
    await tx.update(dsrRequests).set({ subjectId: subject.id }).where(eq(dsrRequests.id, request.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "request.link_subject",
      targetType: "request",
      targetId: request.id,
      details: { pseudonym: input.pseudonym },
    });
    return { id: request.id };
  });
}
