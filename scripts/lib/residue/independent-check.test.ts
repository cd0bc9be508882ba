// Real PostgreSQL (a private database), a real folder and real Redis (a private prefix).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { createFileStore } from "@consentry/storage";
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASURE_ALLOWED, independentCheck, type Needle } from "./independent-check";

const prefix = `test-residue-${randomBytes(6).toString("hex")}`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
let redis: Redis;
let storageRoot: string;
let storage: ReturnType<typeof createFileStore>;

let orgId: string;
let siteId: string;
let cameraId: string;
/** The person whose leftovers are looked for, and a neighbour who must never be reported. */
let person: { subjectId: string; templateId: string; consentId: string; requestId: string; photoKey: string };
let needles: Needle[];

const check = () =>
  independentCheck({
    sql,
    needles,
    allowed: ERASURE_ALLOWED,
    storageRoot,
    redis: { client: redis, prefixes: [prefix] },
  });

async function addPerson(pseudonym: string) {
  const { db } = database;
  const [subject] = await db.insert(schema.subjects).values({ orgId, pseudonym }).returning();
  const subjectId = subject?.id as string;
  const [consent] = await db
    .insert(schema.consents)
    .values({ orgId, subjectId, siteId, purpose: "entry_verification", method: "written", givenAt: new Date() })
    .returning();
  const [template] = await db
    .insert(schema.faceTemplates)
    .values({ orgId, subjectId, siteId, consentId: consent?.id, modelId: "m", modelVersion: "1", embeddingEnc: "x" })
    .returning();
  const [enrolment] = await db
    .insert(schema.enrolments)
    .values({ orgId, subjectId, siteId, consentId: consent?.id, status: "done" })
    .returning();
  const { key } = await storage.put("enrolment-photo", randomBytes(512), "bin");
  await db.insert(schema.enrolmentPhotos).values({
    enrolmentId: enrolment?.id as string,
    subjectId,
    position: 0,
    storageKey: key,
    status: "accepted",
    templateId: template?.id,
  });
  const [request] = await db
    .insert(schema.dsrRequests)
    .values({
      orgId,
      siteId,
      subjectId,
      type: "deletion",
      referenceCode: `R-${randomBytes(4).toString("hex")}`,
      contactHash: randomBytes(32).toString("hex"),
      status: "open",
    })
    .returning();
  return {
    subjectId,
    templateId: template?.id as string,
    consentId: consent?.id as string,
    requestId: request?.id as string,
    photoKey: key,
    pseudonym,
    contactHash: request?.contactHash as string,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  storageRoot = await mkdtemp(join(tmpdir(), "consentry-residue-"));
  storage = createFileStore(storageRoot);
  const { db } = database;
  const [org] = await db
    .insert(schema.organizations)
    .values({ name: "Residue Org", slug: `r-${prefix}` })
    .returning();
  orgId = org?.id as string;
  const [site] = await db
    .insert(schema.sites)
    .values({ orgId, code: "S-RES001", name: "Site", address: "1 Road", regionCode: "310101", kind: "office" })
    .returning();
  siteId = site?.id as string;
  const [camera] = await db
    .insert(schema.cameras)
    .values({ orgId, siteId, name: "Gate", rtspUrlEnc: "x", rtspUrlMasked: "rtsp://x", locationType: "entrance" })
    .returning();
  cameraId = camera?.id as string;
  // A neighbour with the same shape of data: never reported.
  const neighbour = await addPerson("P-NEIGHBOUR");
  await redis.hset(`${prefix}:dsr-erasure:erasure-${neighbour.requestId}`, "data", JSON.stringify(neighbour));
  const target = await addPerson("P-TARGET");
  person = target;
  needles = [
    { kind: "subject", value: target.subjectId },
    { kind: "template", value: target.templateId },
    { kind: "consent", value: target.consentId },
    { kind: "request", value: target.requestId },
    { kind: "pseudonym", value: target.pseudonym },
    { kind: "contactHash", value: target.contactHash },
    { kind: "photoFile", value: target.photoKey },
    { kind: "plaintext", value: "Target Person" },
  ];
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await sql?.end({ timeout: 5 });
  await database?.drop();
  await rm(storageRoot, { recursive: true, force: true });
});

describe("independentCheck", () => {
  it("finds nothing of a person the database never held", async () => {
    const result = await independentCheck({
      sql,
      needles: [
        { kind: "subject", value: randomUUID() },
        { kind: "pseudonym", value: "P-NOBODY" },
        { kind: "contactHash", value: randomBytes(32).toString("hex") },
      ],
      allowed: ERASURE_ALLOWED,
      storageRoot,
      redis: { client: redis, prefixes: [prefix] },
    });
    expect(result.findings).toEqual([]);
    expect(result.columnsSearched).toBeGreaterThan(50);
    expect(result.filesSearched).toBe(2);
    expect(result.keysSearched).toBe(1);
  });

  it("finds the person's rows in every table, the photo file, and lists the audit entry as allowed", async () => {
    await database.db.insert(schema.auditLog).values({
      at: new Date(),
      actorLabel: "test",
      orgId,
      action: "dsr.erasure.complete",
      targetType: "request",
      targetId: person.requestId,
      details: { pseudonym: "P-TARGET" },
      prevHash: "0".repeat(64),
      hash: randomBytes(32).toString("hex"),
    });
    const result = await check();
    const residueAt = result.residue.map((f) => f.where);
    for (const where of [
      "subjects.id",
      "subjects.pseudonym",
      "consents.subject_id",
      "face_templates.id",
      "enrolment_photos.storage_key",
      "enrolments.subject_id",
      "dsr_requests.contact_hash",
    ]) {
      expect(residueAt).toContain(where);
    }
    expect(result.byTable.subjects).toBe(1);
    expect(result.byTable.dsr_requests).toBe(1);
    expect(result.files).toBe(1);
    expect(result.residue.find((f) => f.store === "storage")?.where).toBe(person.photoKey);
    const audit = result.allowed.filter((f) => f.where.startsWith("audit_log."));
    expect(audit.map((f) => f.where).sort()).toEqual(["audit_log.details", "audit_log.target_id"]);
    expect(audit[0]?.allowed).toMatch(/audit log/);
    expect(result.byTable.audit_log).toBeUndefined();
  });

  it("finds a planted leftover in a table, a new table, a file and Redis after a clean erasure", async () => {
    const { db } = database;
    // Erase the person the way the product promises, then nothing but allowed places may remain.
    await sql`delete from enrolment_photos where subject_id = ${person.subjectId}`;
    await sql`delete from enrolments where subject_id = ${person.subjectId}`;
    await sql`delete from face_templates where subject_id = ${person.subjectId}`;
    await sql`update consents set withdrawn_at = now() where subject_id = ${person.subjectId}`;
    await sql`update subjects set erased_at = now() where id = ${person.subjectId}`;
    await sql`update dsr_requests set status = 'completed', closed_at = now(), contact_enc = null where id = ${person.requestId}`;
    await storage.remove(person.photoKey);
    const clean = await check();
    expect(clean.residue).toEqual([]);
    expect(clean.allowed.map((f) => f.where)).toEqual(
      expect.arrayContaining(["subjects.id", "consents.subject_id", "dsr_requests.id", "audit_log.target_id"]),
    );

    // A table: one recognition event.
    await db.insert(schema.recognitionEvents).values({
      orgId,
      siteId,
      cameraId,
      subjectId: person.subjectId,
      modelId: "m",
      at: new Date(),
      score: 0.9,
    });
    // JSON in a table no allow rule covers, and a table created after this check was written.
    await db.insert(schema.jobOutbox).values({
      kind: "deleteTemplates",
      payload: { subjectId: person.subjectId, templateIds: [person.templateId] },
      jobId: `template-deletion-${randomUUID()}`,
    });
    await sql`create table later_table (note text)`;
    await sql`insert into later_table values (${`kept for ${person.requestId.toUpperCase()}`})`;
    // The photo's bytes again, under a name that is not its key.
    const photo = randomBytes(256);
    const { key } = await storage.put("enrolment-photo", photo, "bin");
    await mkdir(join(storageRoot, "exports"), { recursive: true });
    await writeFile(join(storageRoot, "exports", "copy.bin"), photo);
    // A file that names the pseudonym and the name in clear.
    await writeFile(
      join(storageRoot, "exports", "list.json"),
      JSON.stringify({ who: "P-TARGET", name: "Target Person" }),
    );
    // Redis: a finished job's hash and an events stream.
    await redis.hset(
      `${prefix}:dsr-erasure:erasure-${person.requestId}`,
      "data",
      JSON.stringify({ requestId: person.requestId }),
    );
    await redis.xadd(`${prefix}:dsr-erasure:events`, "*", "event", "completed", "jobId", `erasure-${person.requestId}`);

    const result = await independentCheck({
      sql,
      needles: [...needles, { kind: "photoFile", value: key }],
      allowed: ERASURE_ALLOWED,
      storageRoot,
      redis: { client: redis, prefixes: [prefix] },
    });
    const residueAt = result.residue.map((f) => f.where);
    expect(residueAt).toEqual(
      expect.arrayContaining([
        "recognition_events.subject_id",
        "job_outbox.payload",
        "later_table.note",
        key,
        "exports/copy.bin",
        "exports/list.json",
        `${prefix}:dsr-erasure:erasure-${person.requestId}`,
        `${prefix}:dsr-erasure:erasure-${person.requestId} [data]`,
        `${prefix}:dsr-erasure:events`,
      ]),
    );
    expect(result.byTable).toEqual({ recognition_events: 1, job_outbox: 1, later_table: 1 });
    expect(result.files).toBe(3);
    expect(result.residue.find((f) => f.where === "exports/list.json")?.kinds.sort()).toEqual([
      "plaintext",
      "pseudonym",
    ]);
    expect(result.redisKeys).toBe(2);
    // The neighbour's job stays unreported.
    expect(result.findings.filter((f) => f.store === "redis")).toHaveLength(3);
  });
});
