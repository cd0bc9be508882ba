import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { fieldError, isUniqueViolation } from "../errors";
import type { organizationFields } from "../validators";

const { organizations } = schema;

export type OrganizationFields = z.infer<typeof organizationFields>;

/** A platform administrator creates an organisation; its short name (slug) must be free. */
export async function createOrganization(deps: { db: Database; actor: AuditActor }, input: OrganizationFields) {
  try {
    return await deps.db.transaction(async (tx) => {
      const [org] = await tx.insert(organizations).values(input).returning();
      if (!org) throw new Error("insert returned no row");
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: org.id,
        action: "organization.create",
        targetType: "organization",
        targetId: org.id,
        details: input,
      });
      return org;
    });
  } catch (error) {
    if (isUniqueViolation(error, "organizations_slug_unique")) {
      throw fieldError("conflict", "slug", "slugTaken", "This short name is taken.");
    }
    throw error;
  }
}
