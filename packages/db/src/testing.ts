import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { env } from "@consentry/env";
import { type SQL, sql } from "drizzle-orm";
import postgres from "postgres";
import { writeAudit } from "./audit";
import { createDatabase, type Database } from "./client";
import { migrationsFolder, runMigrations } from "./migrate";
import * as schema from "./schema";

// Tests get a private database cloned from a template that has the real migrations applied.
// The template's name carries a hash of the migrations, so a changed migration builds a new one.

const TEMPLATE_LOCK = 0x74706c;

export function databaseUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function migrationsHash(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    hash.update(file).update(readFileSync(join(migrationsFolder, file)));
  }
  hash.update(readFileSync(join(migrationsFolder, "meta", "_journal.json")));
  return hash.digest("hex").slice(0, 12);
}

export const templateDatabaseName = () => `consentry_tpl_${migrationsHash()}`;

async function withAdmin<T>(baseUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(databaseUrlFor(baseUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Builds the migrated template database once (safe when several test processes race). */
export async function ensureTemplateDatabase(baseUrl = env.DATABASE_URL): Promise<string> {
  const name = templateDatabaseName();
  await withAdmin(baseUrl, async (sql) => {
    await sql`select pg_advisory_lock(${TEMPLATE_LOCK})`;
    try {
      const [exists] = await sql`select 1 from pg_database where datname = ${name}`;
      if (exists) return;
      await sql.unsafe(`create database "${name}"`);
      try {
        await runMigrations(databaseUrlFor(baseUrl, name));
      } catch (error) {
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
        throw error;
      }
    } finally {
      await sql`select pg_advisory_unlock(${TEMPLATE_LOCK})`;
    }
  });
  return name;
}

/** A fresh, migrated, empty database of its own; `drop()` removes it. */
export async function createTestDatabase(baseUrl = env.DATABASE_URL) {
  const template = await ensureTemplateDatabase(baseUrl);
  // The epoch in the name lets a later run drop databases that a crashed run left behind.
  const name = `consentry_t_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
  await withAdmin(baseUrl, (sql) => sql.unsafe(`create database "${name}" template "${template}"`));
  const url = databaseUrlFor(baseUrl, name);
  const handle = createDatabase(url, { applicationName: "consentry-test", max: 5 });
  return {
    ...handle,
    url,
    name,
    drop: async () => {
      await handle.close();
      await withAdmin(baseUrl, (sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** Drops test databases older than `maxAgeSeconds` and templates of other migration sets. */
export async function dropStaleTestDatabases(baseUrl = env.DATABASE_URL, maxAgeSeconds = 6 * 3600) {
  const current = templateDatabaseName();
  await withAdmin(baseUrl, async (sql) => {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like 'consentry\\_t\\_%' or datname like 'consentry\\_tpl\\_%'`;
    const now = Date.now() / 1000;
    for (const { datname } of rows) {
      const created = Number(datname.split("_")[2]);
      const stale = datname.startsWith("consentry_tpl_")
        ? datname !== current
        : Number.isFinite(created) && now - created > maxAgeSeconds;
      if (stale) await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }
  });
}

/** Appends `count` audit entries, each in its own transaction, as mutations would. */
export async function appendAuditEntries(db: Database, count: number) {
  const written: { id: number; hash: string }[] = [];
  for (let i = 0; i < count; i++) {
    const details = { name: `Site ${i}`, nested: { b: 2, a: [1, "二"] } };
    written.push(
      await db.transaction((tx) =>
        writeAudit(tx, {
          actor: { userId: null, label: "test" },
          orgId: null,
          action: "site.create",
          targetType: "site",
          targetId: `site-${i}`,
          details,
        }),
      ),
    );
  }
  return written;
}

/** Edits the audit log as a database superuser could: with the append-only trigger off. */
export async function tamperWithAuditLog(db: Database, statement: SQL) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await tx.execute(statement);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
}

/**
 * Lets an organisation's test cameras be anywhere, loopback included: every address in its
 * camera networks, plus an installation exception for 127.0.0.0/8 and ::1. Tests that are not
 * about the network policy use this (makeOrganization does by default); the SSRF tests do not.
 */
export async function openCameraNetworks(db: Database, orgId: string) {
  await db
    .insert(schema.cameraNetworks)
    .values([
      { orgId, cidr: "0.0.0.0/0", note: "test: any address" },
      { orgId, cidr: "::/0", note: "test: any address" },
    ])
    .onConflictDoNothing();
  await db
    .insert(schema.installationNetworkExceptions)
    .values([
      { cidr: "127.0.0.0/8", reason: "test: local simulators and servers" },
      { cidr: "::1/128", reason: "test: local simulators and servers" },
    ])
    .onConflictDoNothing();
}
