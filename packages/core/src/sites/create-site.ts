import { type AuditActor, type Database, newSiteCode, schema, writeAudit } from "@consentry/db";
import { checkTemplatePeriod } from "../retention/policy";
import type { SiteFields } from "../validators";
import { duplicateNameError } from "./duplicate-name";

const { sites } = schema;

/** Creates a site of the organisation under a fresh site code; its name must be unique among active sites. */
export async function createSite(deps: { db: Database; actor: AuditActor; orgId: string }, input: SiteFields) {
  try {
    return await deps.db.transaction(async (tx) => {
      await checkTemplatePeriod(tx, { orgId: deps.orgId, days: input.templateRetentionDays });
      const [site] = await tx
        .insert(sites)
        .values({ ...input, orgId: deps.orgId, code: newSiteCode() })
        .returning({ id: sites.id, code: sites.code, name: sites.name });
      if (!site) throw new Error("insert returned no row");
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: deps.orgId,
        action: "site.create",
        targetType: "site",
        targetId: site.id,
        details: input,
      });
      return site;
    });
  } catch (error) {
    throw duplicateNameError(error);
  }
}
