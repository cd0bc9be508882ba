import { type AuditActor, type Database, eq, max, schema, sql, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { requireSite } from "../lookups";
import type { noticeFields } from "../validators";

const { notices } = schema;

export type NoticeInput = z.infer<typeof noticeFields>;

/** Publishes a site's next notice version; earlier versions stay, since consents point at what people saw. */
export function publishNotice(deps: { db: Database; actor: AuditActor; orgId: string }, input: NoticeInput) {
  return deps.db.transaction(async (tx) => {
    await requireSite(tx, deps.orgId, input.siteId);
    // Serialises publishers of one site so two never take the same version number.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.siteId}))`);
    const [latest] = await tx
      .select({ version: max(notices.version) })
      .from(notices)
      .where(eq(notices.siteId, input.siteId));
    const version = (latest?.version ?? 0) + 1;
    const [notice] = await tx
      .insert(notices)
      .values({ ...input, orgId: deps.orgId, version })
      .returning({ id: notices.id, version: notices.version });
    if (!notice) throw new Error("insert returned no row");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "notice.publish",
      targetType: "notice",
      targetId: notice.id,
      details: { ...input, version },
    });
    return notice;
  });
}
