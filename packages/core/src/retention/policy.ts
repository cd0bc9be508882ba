import { type AuditActor, and, type Database, type Executor, eq, schema, sql, writeAudit } from "@consentry/db";
import { RETENTION_KINDS, type RetentionKind } from "@consentry/db/schema";
import { z } from "zod";
import { fieldError, notFound } from "../errors";

const { organizations, retentionPolicies, sites, users } = schema;

/** What the retention panel edits: the site's template period or one of its policy rows. */
export const RETENTION_TARGETS = ["templates", ...RETENTION_KINDS] as const;
export type RetentionTarget = (typeof RETENTION_TARGETS)[number];

/** Illinois BIPA: templates go at most 3 years after the person's last interaction (IL-15a). */
export const US_IL_TEMPLATE_MAX_DAYS = 1095;
const MAX_DAYS = 3650;

export const retentionPolicyFields = z
  .object({
    siteId: z.uuid(),
    kind: z.enum(RETENTION_TARGETS),
    days: z.int().min(0).max(MAX_DAYS),
  })
  .strict();
export type RetentionPolicyFields = z.infer<typeof retentionPolicyFields>;

export type RetentionPolicyRow = {
  kind: RetentionTarget;
  days: number;
  /** The lawful default this site started with (the same for every profile except templates under US-IL). */
  defaultDays: number;
  updatedAt: Date | null;
  /** The name of who last changed it; null for the default. */
  updatedBy: string | null;
};

/** A site's retention policy: templates first, then each kind, with the default beside it. */
export async function siteRetentionPolicy(db: Database, { orgId, siteId }: { orgId: string; siteId: string }) {
  const [site] = await db
    .select({ templateRetentionDays: sites.templateRetentionDays, profile: organizations.jurisdictionProfile })
    .from(sites)
    .innerJoin(organizations, eq(organizations.id, sites.orgId))
    .where(and(eq(sites.id, siteId), eq(sites.orgId, orgId)));
  if (!site) return notFound("Site");
  const rows = await db
    .select({
      kind: retentionPolicies.kind,
      days: retentionPolicies.days,
      defaultDays: sql<number>`retention_default_days(${retentionPolicies.kind})`,
      updatedAt: retentionPolicies.updatedAt,
      // The changer's name, as the other site panels show it (the row keeps the user id).
      updatedBy: users.name,
    })
    .from(retentionPolicies)
    .leftJoin(users, eq(users.id, retentionPolicies.updatedBy))
    .where(eq(retentionPolicies.siteId, siteId));
  const byKind = new Map(rows.map((row) => [row.kind, row]));
  const policy: RetentionPolicyRow[] = [
    {
      kind: "templates",
      days: site.templateRetentionDays,
      defaultDays: site.profile === "US-IL" ? US_IL_TEMPLATE_MAX_DAYS : 365,
      updatedAt: null,
      updatedBy: null,
    },
  ];
  for (const kind of RETENTION_KINDS) {
    const row = byKind.get(kind);
    // The trigger on sites gives every site every kind; a missing row means a kind added since without its backfill.
    if (!row) throw new Error(`site ${siteId} has no retention policy for ${kind}`);
    policy.push(row);
  }
  return { profile: site.profile, templateMaxDays: templateMaxDays(site.profile), policy };
}

export const templateMaxDays = (profile: string) => (profile === "US-IL" ? US_IL_TEMPLATE_MAX_DAYS : MAX_DAYS);

/**
 * An owner changes one period of a site's policy. Templates must keep at least a day; enrolment
 * photos may be kept for re-enrolment only as long as templates; Illinois caps templates at 3 years.
 */
export async function updateRetentionPolicy(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: RetentionPolicyFields,
) {
  const current = await siteRetentionPolicy(deps.db, { orgId: deps.orgId, siteId: input.siteId });
  const days = (kind: RetentionTarget) =>
    kind === input.kind ? input.days : (current.policy.find((row) => row.kind === kind)?.days ?? 0);
  if (input.kind === "templates" && input.days < 1) {
    throw fieldError("invalid", "days", "retentionTemplatesMin", "Templates need a period of at least one day.");
  }
  if (input.kind === "templates" && input.days > current.templateMaxDays) {
    throw templatesTooLong("days", current.templateMaxDays);
  }
  if (input.kind === "unverified_requests" && input.days < 1) {
    throw fieldError(
      "invalid",
      "days",
      "retentionUnverifiedMin",
      "Unverified requests need at least one day to be verified.",
    );
  }
  if (days("enrolment_photos") > days("templates")) throw photosOutliveTemplates("days");
  const before = current.policy.find((row) => row.kind === input.kind)?.days ?? null;
  await deps.db.transaction(async (tx) => {
    if (input.kind === "templates") {
      await tx
        .update(sites)
        .set({ templateRetentionDays: input.days })
        .where(and(eq(sites.id, input.siteId), eq(sites.orgId, deps.orgId)));
    } else {
      await tx
        .update(retentionPolicies)
        .set({ days: input.days, updatedAt: new Date(), updatedBy: deps.actor.userId })
        .where(
          and(eq(retentionPolicies.siteId, input.siteId), eq(retentionPolicies.kind, input.kind as RetentionKind)),
        );
    }
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "retention.policy.update",
      targetType: "site",
      targetId: input.siteId,
      details: { kind: input.kind, from: before, to: input.days },
    });
  });
  return { siteId: input.siteId, kind: input.kind, days: input.days };
}

const templatesTooLong = (field: string, maxDays: number) =>
  fieldError(
    "invalid",
    field,
    "retentionTemplatesMax",
    `This organisation's jurisdiction allows templates for at most ${maxDays} days after last use.`,
  );
const photosOutliveTemplates = (field: string) =>
  fieldError(
    "invalid",
    field,
    "retentionPhotosLongerThanTemplates",
    "Enrolment photos may be kept for re-enrolment at most as long as the templates made from them.",
  );

/**
 * The site form's template period, checked as the Retention panel checks it: within the
 * jurisdiction's cap (US-IL: 3 years) and not shorter than the site's photo period.
 */
export async function checkTemplatePeriod(
  tx: Executor,
  { orgId, siteId, days }: { orgId: string; siteId?: string; days: number },
) {
  const [org] = await tx
    .select({ profile: organizations.jurisdictionProfile })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  const maxDays = templateMaxDays(org?.profile ?? "CN");
  if (days > maxDays) throw templatesTooLong("templateRetentionDays", maxDays);
  if (!siteId) return;
  const [photos] = await tx
    .select({ days: retentionPolicies.days })
    .from(retentionPolicies)
    .where(and(eq(retentionPolicies.siteId, siteId), eq(retentionPolicies.kind, "enrolment_photos")));
  if (photos && photos.days > days) throw photosOutliveTemplates("templateRetentionDays");
}
