// What the fault suite runs against: one organisation, a site with its assessment, cameras of the
// simulator with face recognition on, and people to erase (one with many recognition events).
import { randomBytes } from "node:crypto";
import { approveRequest } from "@consentry/core/requests";
import { createSubject, giveConsent } from "@consentry/core/subjects";
import { makeAnalysedSite, makeOrganization, recognitionConsent, TEST_ACTOR } from "@consentry/core/testing";
import { consentFields, subjectFields } from "@consentry/core/validators";
import { encryptString } from "@consentry/crypto";
import { type Database, eq, schema, sql } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";

const { dsrRequests } = schema;

export type World = { orgId: string; siteId: string; cameras: { id: string; index: number }[] };

export async function makeWorld(db: Database, cameraUrls: string[]): Promise<World> {
  const orgId = (await makeOrganization(db)).id;
  const { siteId, cameraIds } = await makeAnalysedSite(db, orgId, {
    name: "Fault Suite Tower",
    cameras: cameraUrls.map((rtspUrl, i) => ({ name: `Door ${i + 1}`, rtspUrl })),
  });
  return { orgId, siteId, cameras: cameraIds.map((id, i) => ({ id, index: i + 1 })) };
}

/**
 * A consenting person with `events` recognition events (written in SQL, so seeding 200k takes
 * seconds) and a verified deletion request for them, linked and open, as the portal leaves one.
 */
export async function personToErase(db: Database, world: World, events: number) {
  const deps = { db, actor: TEST_ACTOR, orgId: world.orgId };
  const { id: subjectId } = await createSubject(
    deps,
    subjectFields.parse({ displayName: "Erase Me", contact: null, isMinor: false, birthYear: null }),
  );
  await giveConsent(deps, consentFields.parse(recognitionConsent(subjectId, world.siteId)));
  const cameraId = world.cameras[0]?.id;
  if (events > 0 && cameraId) {
    await db.execute(sql`
      insert into recognition_events (org_id, site_id, camera_id, subject_id, model_id, at, score)
      select ${world.orgId}, ${world.siteId}, ${cameraId}, ${subjectId}, 'fr_feature',
             now() - make_interval(secs => n), 0.9
      from generate_series(1, ${events}) as n`);
  }
  const [request] = await db
    .insert(dsrRequests)
    .values({
      orgId: world.orgId,
      siteId: world.siteId,
      subjectId,
      type: "deletion",
      referenceCode: `R-${randomBytes(5).toString("hex").toUpperCase()}`,
      contactEnc: encryptString("{}", "dsr_requests.contact"),
      contactHash: "h".repeat(64),
      verifiedAt: new Date(),
      status: "open",
    })
    .returning({ id: dsrRequests.id });
  if (!request) throw new Error("insert returned no request");
  return { subjectId, requestId: request.id };
}

/** Approves through the real use case: the erasure goes through the outbox in the approval's transaction. */
export function approve(db: Database, world: World, jobs: JobProducer, requestId: string) {
  return approveRequest({ db, actor: TEST_ACTOR, orgId: world.orgId, jobs }, { requestId });
}

export async function requestState(db: Database, requestId: string) {
  const [row] = await db
    .select({ status: dsrRequests.status, certificate: dsrRequests.certificateSha256 })
    .from(dsrRequests)
    .where(eq(dsrRequests.id, requestId));
  return row;
}

/** Outbox rows not yet handed to BullMQ: a job that must happen and is not queued. */
export async function pendingOutboxRows(db: Database): Promise<number> {
  const rows = await db.execute<{ pending: number }>(
    sql`select count(*)::int as pending from job_outbox where enqueued_at is null`,
  );
  return rows[0]?.pending ?? 0;
}

export async function eventsLeft(db: Database, subjectId: string): Promise<number> {
  const rows = await db.execute<{ remaining: number }>(
    sql`select count(*)::int as remaining from recognition_events where subject_id = ${subjectId}`,
  );
  return rows[0]?.remaining ?? 0;
}

/** True while some session runs an erasure's DELETE of recognition events. */
export async function deletingEvents(db: Database): Promise<boolean> {
  const rows = await db.execute<{ running: boolean }>(sql`
    select exists (
      select 1 from pg_stat_activity
      where state = 'active' and query ilike '%delete from recognition_events%' and pid <> pg_backend_pid()
    ) as running`);
  return rows[0]?.running === true;
}
