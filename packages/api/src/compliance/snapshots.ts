import { evaluateOrganization } from "@consentry/compliance";
import { and, desc, type Executor, eq, gt, max, schema } from "@consentry/db";
import { loadOrganizationFacts } from "./facts";

const { complianceSnapshots, auditLog, organizations } = schema;
const DAY = 86_400_000;

/** Evaluates an organisation and stores one snapshot per site, so regulators and charts see trends. */
export async function storeComplianceSnapshots(db: Executor, orgId: string, now = new Date()) {
  const [latest] = await db
    .select({ id: max(auditLog.id) })
    .from(auditLog)
    .where(eq(auditLog.orgId, orgId));
  const evaluation = evaluateOrganization(await loadOrganizationFacts(db, orgId, { now }));
  if (evaluation.sites.length === 0) return 0;
  await db.insert(complianceSnapshots).values(
    evaluation.sites.map((site) => ({
      orgId,
      siteId: site.siteId,
      at: now,
      score: site.score,
      coverage: site.coverage,
      findings: site.findings,
      auditLogId: latest?.id ?? null,
    })),
  );
  return evaluation.sites.length;
}

/**
 * Snapshots every organisation whose facts changed since its last snapshot (every change is
 * audited, so a newer audit entry means changed facts), and any whose last one is a day old.
 */
export async function snapshotChangedOrganizations(db: Executor, now = new Date()) {
  const orgs = await db.select({ id: organizations.id }).from(organizations);
  let stored = 0;
  for (const { id } of orgs) {
    const [last] = await db
      .select({ at: complianceSnapshots.at, auditLogId: complianceSnapshots.auditLogId })
      .from(complianceSnapshots)
      .where(eq(complianceSnapshots.orgId, id))
      .orderBy(desc(complianceSnapshots.at))
      .limit(1);
    const stale = !last || now.getTime() - last.at.getTime() >= DAY;
    const [changed] = last
      ? await db
          .select({ id: auditLog.id })
          .from(auditLog)
          .where(and(eq(auditLog.orgId, id), gt(auditLog.id, last.auditLogId ?? 0)))
          .limit(1)
      : [];
    if (stale || changed) stored += await storeComplianceSnapshots(db, id, now);
  }
  return stored;
}
