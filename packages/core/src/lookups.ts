import { and, type Executor, eq, isNull, schema } from "@consentry/db";
import { notFound } from "./errors";

/** The organisation's site, or NOT_FOUND (another tenant's site does not exist for this caller). */
export async function requireSite(db: Executor, orgId: string, siteId: string) {
  const [site] = await db
    .select()
    .from(schema.sites)
    .where(and(eq(schema.sites.id, siteId), eq(schema.sites.orgId, orgId)));
  return site ?? notFound("Site");
}

/** The organisation's person, unless erased; else NOT_FOUND. */
export async function requireSubject(db: Executor, orgId: string, subjectId: string) {
  const [subject] = await db
    .select()
    .from(schema.subjects)
    .where(and(eq(schema.subjects.id, subjectId), eq(schema.subjects.orgId, orgId), isNull(schema.subjects.erasedAt)));
  return subject ?? notFound("Person");
}

/** Records that face-recognition processing at a site changed materially (a PIPIA before it is stale). */
export async function touchMaterialChange(db: Executor, siteId: string) {
  await db.update(schema.sites).set({ lastMaterialChangeAt: new Date() }).where(eq(schema.sites.id, siteId));
}
