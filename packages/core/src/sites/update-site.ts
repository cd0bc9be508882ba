import type { OrgRole } from "@consentry/auth";
import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { fieldError, notFound } from "../errors";
import { touchMaterialChange } from "../lookups";
import { checkTemplatePeriod } from "../retention/policy";
import type { SiteFields } from "../validators";
import { duplicateNameError } from "./duplicate-name";
import { assertMayMoveRegion } from "./move-site-region";

const { sites } = schema;

export type SiteUpdate = SiteFields & { siteId: string };

/**
 * Edits a site; the audit entry names only the fields that changed. Its name must stay unique
 * among active sites. The region code is not edited here: an owner moves the site (moveSiteRegion),
 * with a reason, so the move is recorded for both regulators. Turning event snapshots on is a
 * material change; turning them off stops new ones at once (the inference worker's insert checks).
 */
export async function updateSite(
  deps: { db: Database; actor: AuditActor; orgId: string; role: OrgRole },
  input: SiteUpdate,
) {
  const { siteId: id, ...fields } = input;
  try {
    return await deps.db.transaction(async (tx) => {
      const [before] = await tx
        .select()
        .from(sites)
        .where(and(eq(sites.id, id), eq(sites.orgId, deps.orgId)))
        .for("update");
      if (!before) return notFound("Site");
      if (fields.regionCode !== before.regionCode) {
        assertMayMoveRegion(deps.role);
        throw fieldError(
          "refused",
          "regionCode",
          "regionUseMove",
          "The region (regionCode) is changed with Move region, which records the reason for both regulators.",
        );
      }
      await checkTemplatePeriod(tx, { orgId: deps.orgId, siteId: id, days: fields.templateRetentionDays });
      const [site] = await tx
        .update(sites)
        .set({ ...fields, updatedAt: new Date() })
        .where(eq(sites.id, id))
        .returning({ id: sites.id, code: sites.code, name: sites.name });
      // Keeping pictures of the people recognised is new processing: the PIPIA must cover it (CN-FR-08).
      if (fields.eventSnapshots && !before.eventSnapshots) await touchMaterialChange(tx, id);
      const changed = Object.fromEntries(
        Object.entries(fields).filter(([key, value]) => before[key as keyof typeof before] !== value),
      );
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: deps.orgId,
        action: "site.update",
        targetType: "site",
        targetId: id,
        details: { changed },
      });
      return site as NonNullable<typeof site>;
    });
  } catch (error) {
    throw duplicateNameError(error);
  }
}
