import type { OrgRole } from "@consentry/auth";
import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { z } from "zod";
import { DomainError, fieldError, notFound } from "../errors";
import { siteFields, text } from "../validators";

const { sites, siteRegionChanges } = schema;

/** A move to another region: the new GB/T 2260 code and why, which both regulators will read. */
export const siteRegionMove = z.object({
  siteId: z.uuid(),
  regionCode: siteFields.shape.regionCode,
  reason: text().trim().min(5).max(500),
});
export type SiteRegionMove = z.infer<typeof siteRegionMove>;

/**
 * Whether a role may change a site's region code. Regulators are scoped by it, so changing it
 * moves the site out of one regulator's sight: only an owner may, and only through a move.
 */
export function assertMayMoveRegion(role: OrgRole) {
  if (role !== "owner") {
    throw fieldError(
      "forbidden",
      "regionCode",
      "regionNeedsOwner",
      "Only an owner can change a site's region (regionCode): it decides which regulator oversees the site.",
    );
  }
}

/**
 * Moves a site to another region: the site's region code, the row in site_region_changes and the
 * audit entry are written in one transaction. Earlier snapshots keep the region they were taken in.
 */
export async function moveSiteRegion(
  deps: { db: Database; actor: AuditActor; orgId: string; role: OrgRole },
  input: SiteRegionMove,
) {
  assertMayMoveRegion(deps.role);
  return deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ id: sites.id, regionCode: sites.regionCode })
      .from(sites)
      .where(and(eq(sites.id, input.siteId), eq(sites.orgId, deps.orgId)))
      .for("update");
    if (!before) return notFound("Site");
    if (before.regionCode === input.regionCode) {
      throw fieldError(
        "invalid",
        "regionCode",
        "regionUnchanged",
        `The site is already in region ${input.regionCode}.`,
      );
    }
    const changedAt = new Date();
    await tx.update(sites).set({ regionCode: input.regionCode, updatedAt: changedAt }).where(eq(sites.id, before.id));
    const [change] = await tx
      .insert(siteRegionChanges)
      .values({
        orgId: deps.orgId,
        siteId: before.id,
        fromRegion: before.regionCode,
        toRegion: input.regionCode,
        changedAt,
        changedByUserId: deps.actor.userId,
        changedByLabel: deps.actor.label,
        reason: input.reason,
      })
      .returning();
    if (!change) throw new DomainError("conflict", "The move was not recorded.");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "site.moveRegion",
      targetType: "site",
      targetId: before.id,
      details: { from: before.regionCode, to: input.regionCode, reason: input.reason, changeId: change.id },
    });
    return change;
  });
}
