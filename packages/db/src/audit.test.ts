import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asc, eq, gte, lt, sql } from "drizzle-orm";
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  anchorAuditChain,
  auditAnchorsOverview,
  canonicalJson,
  GENESIS_HASH,
  legacyAuditHash,
  parseAuditKeyring,
  reanchorAuditChain,
  recordChainCheck,
  storedJson,
  storedString,
  verifyAuditChain,
  writeAudit,
} from "./audit";
import { createDatabase, type Database } from "./client";
import { ensureAppLogin, migrationsFolder } from "./migrate";
import { auditAnchors, auditChainChecks, auditLog, auditReanchors } from "./schema";
import { appendAuditEntries, createTestDatabase, tamperWithAuditLog } from "./testing";

type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;
const actor = { userId: null, label: "test" };
const opened: { drop?: () => Promise<void>; close?: () => Promise<void> }[] = [];

/** A private database; each describe tampers with its own. */
async function freshDatabase(): Promise<TestDatabase> {
  const testDb = await createTestDatabase();
  opened.push(testDb);
  return testDb;
}
afterAll(async () => {
  // Connections as the app's role first, then every database at once.
  const [databases, connections] = [opened.filter((p) => p.drop), opened.filter((p) => !p.drop)];
  await Promise.all(connections.map((part) => part.close?.()));
  await Promise.all(databases.map((part) => part.drop?.()));
}, 60_000);

const keyOf = () => randomBytes(32).toString("base64");
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the statement to fail");
    },
    (error: Error & { cause?: { code?: string; message?: string } }) => error.cause ?? error,
  );

/**
 * What a database superuser without the audit key can do: rewrite entries from `fromId` on,
 * with the trigger off, recomputing each one's SHA-256 and every following prev_hash so the
 * chain stays consistent. `unkeyed` also clears the key ids (a rewrite posing as legacy entries).
 */
async function rechainAsSuperuser(
  db: Database,
  fromId: number,
  options: { edit?: (details: unknown) => unknown; unkeyed?: boolean } = {},
) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    const [before] = await tx
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .where(lt(auditLog.id, fromId))
      .orderBy(sql`${auditLog.id} desc`)
      .limit(1);
    let prevHash = before?.hash ?? GENESIS_HASH;
    const rows = await tx.select().from(auditLog).where(gte(auditLog.id, fromId)).orderBy(asc(auditLog.id));
    for (const row of rows) {
      const details = row.id === fromId && options.edit ? options.edit(row.details) : row.details;
      const hash = legacyAuditHash({ ...row, details, prevHash });
      const keyId = options.unkeyed ? null : row.keyId;
      await tx.update(auditLog).set({ details, prevHash, hash, keyId }).where(eq(auditLog.id, row.id));
      prevHash = hash;
    }
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
}

const idsOf = async (db: Database) =>
  (await db.select({ id: auditLog.id }).from(auditLog).orderBy(auditLog.id)).map((row) => row.id);

describe("audit hash chain", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await freshDatabase();
  });

  it("canonical JSON ignores key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it("verifies an intact chain, including concurrent appends", async () => {
    await appendAuditEntries(testDb.db, 5);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        testDb.db.transaction((tx) =>
          writeAudit(tx, { actor, orgId: null, action: "race", targetType: "t", targetId: String(i) }),
        ),
      ),
    );
    const verdict = await verifyAuditChain(testDb.db, { pageSize: 4 });
    expect(verdict).toMatchObject({ ok: true, checked: 13 });
  });

  it("an entry rolled back with its transaction leaves no trace", async () => {
    const before = await testDb.db.$count(auditLog);
    await expect(
      testDb.db.transaction(async (tx) => {
        await writeAudit(tx, { actor, orgId: null, action: "doomed", targetType: "t" });
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(await testDb.db.$count(auditLog)).toBe(before);
  });

  it("refuses updates and deletes through the append-only trigger", async () => {
    for (const statement of [sql`update audit_log set action = 'x'`, sql`delete from audit_log`]) {
      const error = await testDb.db.execute(statement).catch((e: Error) => e);
      expect(String((error as Error).cause)).toMatch(/append-only/);
    }
  });

  it("catches an edited entry and names it", async () => {
    const [third] = await testDb.db.select().from(auditLog).orderBy(auditLog.id).offset(2).limit(1);
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Forged"}' where id = ${third?.id}`,
    );
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      brokenAtId: third?.id,
      reason: "hash_mismatch",
      checked: 13,
      breaks: [{ id: third?.id, reason: "hash_mismatch" }],
      breakCount: 1,
    });
  });

  it("catches a deleted entry at its successor", async () => {
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Site 2","nested":{"a":[1,"二"],"b":2}}' where action = 'site.create' and target_id = 'site-2'`,
    );
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
    const rows = await testDb.db.select().from(auditLog).orderBy(auditLog.id);
    await tamperWithAuditLog(testDb.db, sql`delete from audit_log where id = ${rows[5]?.id}`);
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      brokenAtId: rows[6]?.id,
      reason: "prev_hash_mismatch",
    });
  });
});

describe("the application's database role", () => {
  let testDb: TestDatabase;
  let app: ReturnType<typeof createDatabase>;
  beforeAll(async () => {
    testDb = await freshDatabase();
    app = createDatabase(await ensureAppLogin(testDb.url), { applicationName: "consentry-test-app", max: 2 });
    opened.push(app);
    await appendAuditEntries(testDb.db, 3);
  });

  it("appends entries and anchors, and reads them", async () => {
    const [whoami] = await app.db.execute<{ user: string }>(sql`select current_user as user`);
    expect(whoami?.user).toBe("consentry_app_login");
    await app.db.transaction((tx) => writeAudit(tx, { actor, orgId: null, action: "as.app", targetType: "t" }));
    const { anchor } = await anchorAuditChain(app.db);
    expect(anchor).toMatchObject({ headId: (await idsOf(testDb.db)).at(-1) });
    expect(await verifyAuditChain(app.db)).toMatchObject({ ok: true, checked: 4, anchors: 1 });
  });

  it("can neither change the audit log or its anchors nor switch off their triggers", async () => {
    for (const statement of [
      sql`update audit_log set action = 'x'`,
      sql`delete from audit_log`,
      sql`truncate audit_log`,
      sql`alter table audit_log disable trigger audit_log_append_only`,
      sql`alter table audit_log disable trigger all`,
      sql`drop trigger audit_log_append_only on audit_log`,
      sql`update audit_anchors set head_hash = 'x'`,
      sql`delete from audit_anchors`,
      sql`truncate audit_anchors`,
      sql`alter table audit_anchors disable trigger audit_anchors_append_only`,
      sql`update audit_reanchors set reason = 'x'`,
      sql`delete from audit_reanchors`,
      sql`truncate audit_reanchors`,
    ]) {
      // 42501 insufficient_privilege: "permission denied" or "must be owner", not the trigger's refusal.
      const error = await errorOf(app.db.execute(statement));
      expect(error).toMatchObject({ code: "42501" });
      expect(error.message).not.toMatch(/append-only/);
    }
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true, checked: 4 });
  });

  it("may change every other table, but truncate or alter none", async () => {
    const rows = await testDb.db.execute<{ table: string; privileges: string }>(sql`
      select table_name as table,
             concat_ws(',',
               case when has_table_privilege('consentry_app', c.oid, 'select') then 'select' end,
               case when has_table_privilege('consentry_app', c.oid, 'insert') then 'insert' end,
               case when has_table_privilege('consentry_app', c.oid, 'update') then 'update' end,
               case when has_table_privilege('consentry_app', c.oid, 'delete') then 'delete' end,
               case when has_table_privilege('consentry_app', c.oid, 'truncate') then 'truncate' end,
               case when has_table_privilege('consentry_app', c.oid, 'trigger') then 'trigger' end,
               case when pg_has_role('consentry_app', c.relowner, 'usage') then 'owner' end
             ) as privileges
      from information_schema.tables t join pg_class c on c.relname = t.table_name
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = t.table_schema
      where t.table_schema = 'public' and t.table_type = 'BASE TABLE'`);
    expect(rows.length).toBeGreaterThan(20);
    for (const { table, privileges } of rows) {
      const expected = ["audit_log", "audit_anchors", "audit_reanchors"].includes(table)
        ? "select,insert"
        : "select,insert,update,delete";
      expect({ table, privileges }).toEqual({ table, privileges: expected });
    }
    const error = await errorOf(app.db.execute(sql`create table app_made (id int)`));
    expect(error).toMatchObject({ code: "42501" });
  });
});

describe("the migration's role creation", () => {
  const migration = readFileSync(join(migrationsFolder, "0009_audit_keyed_chain.sql"), "utf8");
  const createRole = migration.split("--> statement-breakpoint").find((part) => part.includes("CREATE ROLE")) as string;

  /**
   * Two databases migrating at once, made deterministic: session A creates the role and keeps
   * its transaction open until session B, running the same statement, waits on it; then A
   * commits. Resolves with B's outcome.
   */
  async function race(testDb: TestDatabase, statement: string) {
    const [a, b] = [0, 1].map(() => postgres(testDb.url, { max: 1, onnotice: () => {} })) as [
      postgres.Sql,
      postgres.Sql,
    ];
    try {
      const [session] = await b<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const pid = session?.pid as number;
      let commitA = () => {};
      const aMayCommit = new Promise<void>((resolve) => {
        commitA = resolve;
      });
      let aCreated = () => {};
      const created = new Promise<void>((resolve) => {
        aCreated = resolve;
      });
      const first = a.begin(async (tx) => {
        await tx.unsafe(statement);
        aCreated();
        await aMayCommit;
      });
      await created;
      const second = b
        .begin((tx) => tx.unsafe(statement))
        .then(
          () => "ok",
          (error: { code?: string }) => error.code,
        );
      for (;;) {
        const [activity] = await testDb.sql`select wait_event_type from pg_stat_activity where pid = ${pid}`;
        if (activity?.wait_event_type === "Lock") break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      commitA();
      await first;
      return await second;
    } finally {
      await Promise.all([a.end({ timeout: 5 }), b.end({ timeout: 5 })]);
    }
  }

  it("is safe when many databases run it at once", async () => {
    const testDb = await freshDatabase();
    const role = `consentry_race_${randomBytes(4).toString("hex")}`;
    const forRole = (name: string) => createRole.replaceAll("consentry_app", name);
    try {
      expect(await race(testDb, forRole(role))).toBe("ok");
      // The race is real: without the exception handler the second session fails (unique_violation).
      expect(await race(testDb, forRole(`${role}_naive`).replace(/EXCEPTION WHEN[^;]*;/, ""))).toBe("23505");
    } finally {
      await testDb.sql.unsafe(`drop role if exists ${role}`);
      await testDb.sql.unsafe(`drop role if exists ${role}_naive`);
    }
  });
});

describe("keyed chain and anchors", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await freshDatabase();
  });

  it("names the first rewritten entry even when the rewrite recomputes every SHA-256 after it", async () => {
    await appendAuditEntries(testDb.db, 6);
    const ids = await idsOf(testDb.db);
    const target = ids[2] as number;
    // The attack a plain SHA-256 chain cannot see: today's scheme reported this chain as intact.
    await rechainAsSuperuser(testDb.db, target, { edit: () => ({ name: "Forged" }) });
    // Every rewritten entry is named, not only the first.
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      checked: 6,
      brokenAtId: target,
      reason: "hash_mismatch",
      breaks: ids.slice(2).map((id) => ({ id, reason: "hash_mismatch" })),
      breakCount: 4,
      openBreaks: 4,
    });
  });

  it("refuses a rewrite posing as unkeyed (legacy) entries after keyed ones", async () => {
    const ids = await idsOf(testDb.db);
    await rechainAsSuperuser(testDb.db, ids[2] as number, { unkeyed: true });
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      brokenAtId: ids[2],
      reason: "unkeyed_after_keyed",
    });
  });
});

describe("anchors", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await freshDatabase();
    await appendAuditEntries(testDb.db, 5);
  });

  it("catch a consistent, unkeyed rewrite of the whole chain", async () => {
    const { anchor, verdict } = await anchorAuditChain(testDb.db);
    const ids = await idsOf(testDb.db);
    expect(verdict).toMatchObject({ ok: true, checked: 5, headId: ids.at(-1) });
    expect(anchor).toMatchObject({ headId: ids.at(-1), headHash: verdict.ok && verdict.headHash, keyId: "dev1" });
    // Every entry rewritten as a legacy SHA-256 entry: nothing in the chain itself is inconsistent…
    await rechainAsSuperuser(testDb.db, ids[0] as number, { unkeyed: true, edit: () => ({ name: "Forged" }) });
    // …but the anchor outside it no longer matches its head.
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      checked: 5,
      brokenAtId: ids.at(-1),
      reason: "anchor_mismatch",
      anchorId: anchor?.id,
    });
  });

  it("catch a deleted tail, naming the anchored entry that is gone", async () => {
    const second = await freshDatabase();
    await appendAuditEntries(second.db, 4);
    const { anchor } = await anchorAuditChain(second.db);
    // Anchoring again with no new entry adds nothing in the hourly mode.
    expect((await anchorAuditChain(second.db, { onlyIfMoved: true })).anchor).toBeNull();
    const ids = await idsOf(second.db);
    await tamperWithAuditLog(second.db, sql`delete from audit_log where id >= ${ids[2]}`);
    expect(await verifyAuditChain(second.db)).toMatchObject({
      ok: false,
      checked: 2,
      brokenAtId: ids[3],
      reason: "anchored_entry_missing",
      anchorId: anchor?.id,
    });
    await recordChainCheck(second.db, await verifyAuditChain(second.db));
    expect((await auditAnchorsOverview(second.db)).latestCheck).toMatchObject({
      ok: false,
      brokenAtId: ids[3],
      reason: "anchored_entry_missing",
    });
  });

  it("catch a tampered anchor signature", async () => {
    const third = await freshDatabase();
    await appendAuditEntries(third.db, 3);
    const { anchor } = await anchorAuditChain(third.db);
    await appendAuditEntries(third.db, 2);
    const ids = await idsOf(third.db);
    expect((await auditAnchorsOverview(third.db)).anchors).toMatchObject([{ headId: ids[2], verified: true }]);
    // The anchor moved to another head (the signature no longer covers it).
    await third.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_anchors disable trigger audit_anchors_append_only`);
      const [head] = await tx
        .select()
        .from(auditLog)
        .where(eq(auditLog.id, ids[4] as number));
      await tx
        .update(auditAnchors)
        .set({ headId: head?.id, headHash: head?.hash })
        .where(eq(auditAnchors.id, anchor?.id as number));
      await tx.execute(sql`alter table audit_anchors enable trigger audit_anchors_append_only`);
    });
    expect(await verifyAuditChain(third.db)).toMatchObject({
      ok: false,
      brokenAtId: ids[4],
      reason: "anchor_signature_invalid",
      anchorId: anchor?.id,
    });
    expect((await auditAnchorsOverview(third.db)).anchors).toMatchObject([{ headId: ids[4], verified: false }]);
  });
});

describe("key rotation and legacy entries", () => {
  it("verifies entries under retired keys while they stay listed, and legacy entries before keyed ones", async () => {
    const testDb = await freshDatabase();
    // Two legacy entries, as written before keyed entries existed.
    let prevHash = GENESIS_HASH;
    for (const targetId of ["old-1", "old-2"]) {
      const fields = {
        at: new Date(),
        actorUserId: null,
        actorLabel: "test",
        orgId: null,
        action: "legacy",
        targetType: "t",
        targetId,
        details: {},
        prevHash,
      };
      prevHash = legacyAuditHash(fields);
      await testDb.db.insert(auditLog).values({ ...fields, hash: prevHash });
    }
    const [oldKey, newKey] = [keyOf(), keyOf()];
    const oldRing = parseAuditKeyring(`a1:${oldKey}`);
    const rotated = parseAuditKeyring(`a1:${oldKey},a2:${newKey}`);
    const write = (keyring: typeof oldRing, targetId: string) =>
      testDb.db.transaction((tx) =>
        writeAudit(tx, { actor, orgId: null, action: "k", targetType: "t", targetId }, keyring),
      );
    await write(oldRing, "under-a1");
    await anchorAuditChain(testDb.db, { keyring: oldRing });
    await write(rotated, "under-a2");
    await anchorAuditChain(testDb.db, { keyring: rotated });
    const keyIds = (await testDb.db.select({ keyId: auditLog.keyId }).from(auditLog).orderBy(auditLog.id)).map(
      (row) => row.keyId,
    );
    expect(keyIds).toEqual([null, null, "a1", "a2"]);
    expect(await verifyAuditChain(testDb.db, { keyring: rotated })).toMatchObject({ ok: true, checked: 4, anchors: 2 });
    // Dropping the old key from the keyring makes its entries unverifiable: keep retired ids listed.
    const ids = await idsOf(testDb.db);
    expect(await verifyAuditChain(testDb.db, { keyring: parseAuditKeyring(`a2:${newKey}`) })).toMatchObject({
      ok: false,
      brokenAtId: ids[2],
      reason: "unknown_key",
    });
    // A different key under the same id is no better than no key.
    expect(
      await verifyAuditChain(testDb.db, { keyring: parseAuditKeyring(`a1:${keyOf()},a2:${newKey}`) }),
    ).toMatchObject({ ok: false, brokenAtId: ids[2], reason: "hash_mismatch" });
  });

  it("refuses malformed keyrings", () => {
    expect(() => parseAuditKeyring("nokey")).toThrow(/keyId:base64key/);
    expect(() => parseAuditKeyring(`k:${randomBytes(16).toString("base64")}`)).toThrow(/at least 32 bytes/);
    expect(() => parseAuditKeyring(" , ")).toThrow(/empty/);
  });
});

describe("entries hash what PostgreSQL stores (issue #14)", () => {
  // Code units PostgreSQL cannot store as given (lone surrogates, NUL) among ones it can.
  const odd = fc.constantFrom(
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\u0000",
    "😀",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\\",
    '"',
    "a",
    "二",
    "\u0001",
    "\u007f",
    " ",
  );
  const oddString = fc.array(odd, { maxLength: 8 }).map((parts) => parts.join(""));
  const oddNumber = fc.oneof(
    // Written as strings: what they round to (Infinity, 12345678901234567000) is the point.
    fc.constantFrom(-0, Number("1e400"), Number("-1e400"), Number.NaN, 1e21, 5e-324, Number.MAX_VALUE, 0.1 + 0.2),
    fc.constant(Number("12345678901234567890")),
    fc.double(),
  );
  const oddValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      oddString,
      oddNumber,
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: false }),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(oddString, tie("value"), { maxKeys: 3 }),
    ),
  })).value;

  it("maps strings as the driver and jsonb do", () => {
    expect(storedString("repro\ud800")).toBe("repro\ufffd");
    expect(storedString("\udc00x\ud800")).toBe("\ufffdx\ufffd");
    expect(storedString("a\u0000b")).toBe("a\ufffdb");
    expect(storedString("😀\u2028")).toBe("😀\u2028");
    expect(storedJson({ n: -0, big: Number("1e400"), d: new Date(0), u: undefined, "k\udfff": ["\ud83d"] })).toEqual({
      n: 0,
      big: null,
      d: "1970-01-01T00:00:00.000Z",
      "k\ufffd": ["\ufffd"],
    });
  });

  it("for any odd strings, numbers and dates, the stored entry verifies and reads back as hashed", async () => {
    const testDb = await freshDatabase();
    await fc.assert(
      fc.asyncProperty(oddString, oddString, oddString, oddValue, async (label, action, targetId, value) => {
        const details = { value, [label]: value };
        const { id } = await testDb.db.transaction((tx) =>
          writeAudit(tx, {
            actor: { userId: label, label },
            orgId: null,
            action,
            targetType: label,
            targetId,
            details,
          }),
        );
        const [row] = await testDb.db.select().from(auditLog).where(eq(auditLog.id, id));
        expect(row).toMatchObject({ actorLabel: storedString(label), targetId: storedString(targetId) });
        expect(row?.details).toEqual(storedJson(details));
        // Each run on its own: the verifier walks past earlier breaks, so only this entry counts.
        expect((await verifyAuditChain(testDb.db)).breaks.filter((b) => b.id === id)).toEqual([]);
      }),
      { numRuns: 150 },
    );
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true, checked: 150 });
  }, 120_000);
});

describe("every break is reported, and a re-anchor closes it (issue #14)", () => {
  let testDb: TestDatabase;
  let ids: number[];
  const admin = { userId: "admin-1", label: "admin@example.cn" };
  beforeAll(async () => {
    testDb = await freshDatabase();
    await appendAuditEntries(testDb.db, 10);
    ids = await idsOf(testDb.db);
  });

  it("keeps walking after a break: three tamperings, three breaks, later entries still checked", async () => {
    await tamperWithAuditLog(testDb.db, sql`update audit_log set details = '{"x":1}' where id = ${ids[2]}`);
    await tamperWithAuditLog(testDb.db, sql`delete from audit_log where id = ${ids[5]}`);
    await tamperWithAuditLog(testDb.db, sql`update audit_log set actor_label = 'forged' where id = ${ids[8]}`);
    const verdict = await verifyAuditChain(testDb.db);
    expect(verdict).toMatchObject({
      ok: false,
      checked: 9,
      brokenAtId: ids[2],
      reason: "hash_mismatch",
      breakCount: 3,
      openBreaks: 3,
      breaks: [
        { id: ids[2], reason: "hash_mismatch" },
        { id: ids[6], reason: "prev_hash_mismatch" },
        { id: ids[8], reason: "hash_mismatch" },
      ],
    });
    // The stored check keeps them all; the list is bounded, the count is not.
    expect((await verifyAuditChain(testDb.db, { listLimit: 1 })).breaks).toHaveLength(1);
    await recordChainCheck(testDb.db, verdict);
    const [check] = await testDb.db.select().from(auditChainChecks).orderBy(sql`id desc`).limit(1);
    expect(check).toMatchObject({
      ok: false,
      brokenAtId: ids[2],
      breakCount: 3,
      openBreaks: 3,
      breaks: verdict.breaks,
    });
  });

  it("a signed re-anchor closes one break, which stays listed; the others stay open", async () => {
    expect(
      await reanchorAuditChain(testDb.db, { brokenAtId: ids[3] as number, reason: "none here", actor: admin }),
    ).toBeNull();
    const reanchor = await reanchorAuditChain(testDb.db, {
      brokenAtId: ids[2] as number,
      reason: "Restored from backup; incident 2026-17",
      actor: admin,
    });
    expect(reanchor).toMatchObject({ covers: [{ id: ids[2], reason: "hash_mismatch" }], keyId: "dev1" });
    const verdict = await verifyAuditChain(testDb.db);
    expect(verdict).toMatchObject({
      ok: false,
      brokenAtId: ids[6],
      openBreaks: 2,
      breakCount: 3,
      breaks: [
        { id: ids[2], reason: "hash_mismatch", closedBy: reanchor?.id },
        { id: ids[6], reason: "prev_hash_mismatch" },
        { id: ids[8], reason: "hash_mismatch" },
      ],
    });
    // The re-anchor is itself audited, in the chain, and that entry verifies.
    const [entry] = await testDb.db.select().from(auditLog).orderBy(sql`id desc`).limit(1);
    expect(entry).toMatchObject({
      action: "audit.reanchor",
      actorLabel: admin.label,
      targetId: String(ids[2]),
      details: { reanchorId: reanchor?.id, covers: [{ id: ids[2], reason: "hash_mismatch" }] },
    });
    expect(verdict.checked).toBe(10);
  });

  it("closing every break makes the chain verify (and anchorable) again", async () => {
    for (const brokenAtId of [ids[6], ids[8]] as number[]) {
      expect(
        await reanchorAuditChain(testDb.db, { brokenAtId, reason: "Known incident", actor: admin }),
      ).not.toBeNull();
    }
    const verdict = await verifyAuditChain(testDb.db);
    expect(verdict).toMatchObject({ ok: true, breakCount: 3, openBreaks: 0 });
    expect(verdict.breaks.every((b) => b.closedBy !== undefined)).toBe(true);
    expect((await anchorAuditChain(testDb.db)).anchor).not.toBeNull();
  });

  it("a covered entry changed again opens its break again", async () => {
    await tamperWithAuditLog(testDb.db, sql`update audit_log set details = '{"x":2}' where id = ${ids[2]}`);
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: false, brokenAtId: ids[2], openBreaks: 1 });
    await reanchorAuditChain(testDb.db, {
      brokenAtId: ids[2] as number,
      reason: "Second edit, same incident",
      actor: admin,
    });
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
  });

  it("a tampered re-anchor signature is itself a break, and what it covered opens again", async () => {
    const [first] = await testDb.db.select().from(auditReanchors).orderBy(auditReanchors.id).limit(1);
    await testDb.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_reanchors disable trigger audit_reanchors_append_only`);
      await tx
        .update(auditReanchors)
        .set({ reason: "nothing to see" })
        .where(eq(auditReanchors.id, first?.id as number));
      await tx.execute(sql`alter table audit_reanchors enable trigger audit_reanchors_append_only`);
    });
    const verdict = await verifyAuditChain(testDb.db);
    expect(verdict).toMatchObject({ ok: false });
    expect(verdict.breaks).toContainEqual({ id: ids[2], reason: "reanchor_signature_invalid", reanchorId: first?.id });
  });

  it("closes a whole rewritten segment at once", async () => {
    const second = await freshDatabase();
    await appendAuditEntries(second.db, 6);
    const rewritten = await idsOf(second.db);
    await rechainAsSuperuser(second.db, rewritten[2] as number, { edit: () => ({ name: "Forged" }) });
    expect(await verifyAuditChain(second.db)).toMatchObject({ ok: false, openBreaks: 4 });
    const reanchor = await reanchorAuditChain(second.db, {
      brokenAtId: rewritten[2] as number,
      reason: "Rewrite",
      actor: admin,
    });
    expect(reanchor?.covers).toHaveLength(4);
    expect(await verifyAuditChain(second.db)).toMatchObject({ ok: true, breakCount: 4, openBreaks: 0, checked: 7 });
  });
});
