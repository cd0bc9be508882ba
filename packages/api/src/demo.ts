import { loadPrincipal } from "@consentry/auth";
import { and, type Database, desc, eq, isNull, ne, schema } from "@consentry/db";
import { DEMO_RECOGNISED_PERSON } from "@consentry/db/seed";
import type { JobProducer } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { createCaller } from "./root";
import { createContext, unknownLeases } from "./trpc";

const DEMO_MANAGER = "manager@huangpu.demo";

/**
 * Enrols the demo's recognised person from `photo` the way a manager would: through the
 * enrolment procedure (consent and PIPIA checks, re-encoding, encryption, audit) and the real
 * `enrollment` job, which an inference worker turns into a template. Idempotent: a person who
 * is being enrolled, or has a template of `modelId` (the workers' embedding model), is left
 * alone; after a model change they are enrolled again, as a manager would re-capture them.
 */
export async function enrolDemoPerson(deps: {
  db: Database;
  jobs: JobProducer;
  storage: FileStore;
  photo: Uint8Array<ArrayBuffer>;
  modelId: string;
}): Promise<{ enrolmentId: string; created: boolean } | { missing: string }> {
  const { db } = deps;
  const person = DEMO_RECOGNISED_PERSON;
  const [row] = await db
    .select({ orgId: schema.organizations.id, subjectId: schema.subjects.id, siteId: schema.sites.id })
    .from(schema.organizations)
    .innerJoin(
      schema.subjects,
      and(eq(schema.subjects.orgId, schema.organizations.id), eq(schema.subjects.pseudonym, person.pseudonym)),
    )
    .innerJoin(
      schema.sites,
      and(eq(schema.sites.orgId, schema.organizations.id), eq(schema.sites.name, person.siteName)),
    )
    .where(eq(schema.organizations.slug, person.orgSlug));
  if (!row)
    return { missing: `${person.pseudonym} at ${person.siteName} (a demo database seeded by an older version)` };

  const [current] = await db
    .select({ id: schema.faceTemplates.id })
    .from(schema.faceTemplates)
    .where(
      and(
        eq(schema.faceTemplates.subjectId, row.subjectId),
        eq(schema.faceTemplates.modelId, deps.modelId),
        isNull(schema.faceTemplates.deletionQueuedAt),
      ),
    );
  const [existing] = await db
    .select({ id: schema.enrolments.id, status: schema.enrolments.status })
    .from(schema.enrolments)
    .where(and(eq(schema.enrolments.subjectId, row.subjectId), ne(schema.enrolments.status, "failed")))
    .orderBy(desc(schema.enrolments.createdAt));
  if (existing && (current || existing.status !== "done")) return { enrolmentId: existing.id, created: false };

  const [manager] = await db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.email, DEMO_MANAGER));
  const principal = manager && (await loadPrincipal(db, manager.id));
  if (!principal) return { missing: DEMO_MANAGER };
  const api = createCaller(
    createContext({ db, principal, jobs: deps.jobs, storage: deps.storage, leases: unknownLeases }),
  );
  const result = await api.enrolments.create({
    orgId: row.orgId,
    subjectId: row.subjectId,
    siteId: row.siteId,
    photos: [deps.photo],
  });
  if (!result.queued) throw new Error("the enrolment was stored but its job could not be queued (is Redis up?)");
  return { enrolmentId: result.id, created: true };
}
