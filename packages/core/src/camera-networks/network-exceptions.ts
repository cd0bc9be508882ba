import { type AuditActor, asc, type Database, eq, schema, writeAudit } from "@consentry/db";
import { fieldError, isUniqueViolation, notFound } from "../errors";
import type { NetworkExceptionFields } from "./fields";

const { installationNetworkExceptions: exceptions, users } = schema;

// Platform admins only: an exception lets organisations that also list the range reach an
// otherwise reserved address (the demo's camera simulator on 127.0.0.1:<port>).

export function listNetworkExceptions(deps: { db: Database }) {
  return deps.db
    .select({
      id: exceptions.id,
      cidr: exceptions.cidr,
      portFrom: exceptions.portFrom,
      portTo: exceptions.portTo,
      reason: exceptions.reason,
      createdAt: exceptions.createdAt,
      createdBy: users.name,
    })
    .from(exceptions)
    .leftJoin(users, eq(users.id, exceptions.createdBy))
    .orderBy(asc(exceptions.createdAt));
}

export async function addNetworkException(deps: { db: Database; actor: AuditActor }, input: NetworkExceptionFields) {
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(exceptions)
        .values({ ...input, createdBy: deps.actor.userId })
        .returning({ id: exceptions.id, cidr: exceptions.cidr });
      if (!row) throw new Error("insert returned no row");
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: null,
        action: "network_exception.add",
        targetType: "network_exception",
        targetId: row.id,
        details: input,
      });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error, "installation_network_exceptions_cidr_ports_unique")) {
      throw fieldError("conflict", "cidr", "networkDuplicate", "This exception is already listed.");
    }
    throw error;
  }
}

export async function removeNetworkException(
  deps: { db: Database; actor: AuditActor },
  input: { exceptionId: string },
) {
  return deps.db.transaction(async (tx) => {
    const [removed] = await tx.delete(exceptions).where(eq(exceptions.id, input.exceptionId)).returning();
    if (!removed) notFound("Network exception");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: null,
      action: "network_exception.remove",
      targetType: "network_exception",
      targetId: removed.id,
      details: { cidr: removed.cidr, portFrom: removed.portFrom, portTo: removed.portTo, reason: removed.reason },
    });
    return { id: removed.id };
  });
}
