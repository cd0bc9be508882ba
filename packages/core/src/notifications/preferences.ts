import type { OrgRole } from "@consentry/auth/roles";
import { type AuditActor, and, asc, type Database, type Executor, eq, isNull, schema, writeAudit } from "@consentry/db";
import { z } from "zod";
import { DomainError, fieldError, notFound } from "../errors";
import {
  defaultPreference,
  KIND_RULES,
  mayReceive,
  NOTIFICATION_EMAIL_MODES,
  NOTIFICATION_KINDS,
  type NotificationEmailMode,
  type NotificationKind,
} from "./kinds";

const { notificationPreferences, sites } = schema;

/** One kind as the preferences page shows it. */
export type KindPreference = {
  kind: NotificationKind;
  scope: "site" | "organization";
  inApp: boolean;
  email: NotificationEmailMode;
  /** Only this site (the member restricted the kind to it); null: every site. */
  siteId: string | null;
  /** No choice stored: the role's default applies. */
  isDefault: boolean;
};

/**
 * The member's choices for every kind their role receives, with the sites they may restrict a
 * kind to. A kind restricted to a site is stored as "nothing" for all sites plus the site's row.
 */
export async function notificationPreferencesOf(
  db: Executor,
  who: { orgId: string; userId: string; role: OrgRole },
): Promise<{ kinds: KindPreference[]; sites: { id: string; name: string }[] }> {
  const [stored, siteRows] = await Promise.all([
    db
      .select({
        kind: notificationPreferences.kind,
        siteId: notificationPreferences.siteId,
        inApp: notificationPreferences.inApp,
        email: notificationPreferences.email,
      })
      .from(notificationPreferences)
      .where(and(eq(notificationPreferences.orgId, who.orgId), eq(notificationPreferences.userId, who.userId))),
    db
      .select({ id: sites.id, name: sites.name })
      .from(sites)
      .where(and(eq(sites.orgId, who.orgId), isNull(sites.archivedAt)))
      .orderBy(asc(sites.name)),
  ]);
  const kinds = NOTIFICATION_KINDS.filter((kind) => mayReceive(who.role, kind)).map((kind): KindPreference => {
    const rows = stored.filter((row) => row.kind === kind);
    const site = rows.find((row) => row.siteId !== null);
    const all = rows.find((row) => row.siteId === null);
    const chosen = site ?? all;
    return {
      kind,
      scope: KIND_RULES[kind].scope,
      ...(chosen ? { inApp: chosen.inApp, email: chosen.email } : defaultPreference(who.role)),
      siteId: site?.siteId ?? null,
      isDefault: !chosen,
    };
  });
  return { kinds, sites: siteRows };
}

export const notificationPreferenceInput = z.object({
  kind: z.enum(NOTIFICATION_KINDS),
  inApp: z.boolean(),
  email: z.enum(NOTIFICATION_EMAIL_MODES),
  /** Only this site; null for every site. Organisation-wide kinds take null only. */
  siteId: z.uuid().nullable(),
});
export type NotificationPreferenceInput = z.infer<typeof notificationPreferenceInput>;

/**
 * Stores the member's choice for one kind, replacing what they had for it: for every site, or
 * only for `siteId` (another organisation's site is not found). Audited as the member's own change.
 */
export async function saveNotificationPreference(
  deps: { db: Database; actor: AuditActor; orgId: string; userId: string; role: OrgRole },
  input: NotificationPreferenceInput,
) {
  if (!mayReceive(deps.role, input.kind)) {
    throw new DomainError("forbidden", "Your role does not receive this kind of notification.");
  }
  if (input.siteId && KIND_RULES[input.kind].scope === "organization") {
    throw fieldError("invalid", "siteId", "organisationWide", "This notification is about the whole organisation.");
  }
  return deps.db.transaction(async (tx) => {
    if (input.siteId) {
      const [site] = await tx
        .select({ id: sites.id })
        .from(sites)
        .where(and(eq(sites.id, input.siteId), eq(sites.orgId, deps.orgId)));
      if (!site) notFound("Site");
    }
    const mineForKind = and(
      eq(notificationPreferences.orgId, deps.orgId),
      eq(notificationPreferences.userId, deps.userId),
      eq(notificationPreferences.kind, input.kind),
    );
    await tx.delete(notificationPreferences).where(mineForKind);
    const row = { orgId: deps.orgId, userId: deps.userId, kind: input.kind };
    await tx.insert(notificationPreferences).values(
      input.siteId
        ? [
            { ...row, siteId: null, inApp: false, email: "off" as const },
            { ...row, siteId: input.siteId, inApp: input.inApp, email: input.email },
          ]
        : [{ ...row, siteId: null, inApp: input.inApp, email: input.email }],
    );
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "notification.preference.save",
      targetType: "user",
      targetId: deps.userId,
      details: { kind: input.kind, inApp: input.inApp, email: input.email, siteId: input.siteId },
    });
    return { kind: input.kind, inApp: input.inApp, email: input.email, siteId: input.siteId };
  });
}
