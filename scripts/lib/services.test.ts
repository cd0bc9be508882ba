// Talks to real services: PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { ensureDatabase, postgresAnswers } from "./postgres";
import { redisAnswers } from "./redis";
import { ensureServices } from "./services";

const PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = "redis://127.0.0.1:6379";

// A port that was free a moment ago and that nothing listens on.
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe("postgresAnswers / redisAnswers", () => {
  it("tell a live server from a closed port", async () => {
    const port = await closedPort();
    expect(await postgresAnswers(PG_URL)).toBe(true);
    expect(await postgresAnswers(`postgres://postgres@127.0.0.1:${port}/postgres`)).toBe(false);
    expect(await redisAnswers(REDIS_URL)).toBe(true);
    expect(await redisAnswers(`redis://127.0.0.1:${port}`)).toBe(false);
  });
});

describe("ensureServices", () => {
  it("starts nothing when both URLs answer", async () => {
    const messages: string[] = [];
    const services = await ensureServices({
      databaseUrl: PG_URL,
      redisUrl: REDIS_URL,
      dataDir: path.join(os.tmpdir(), "consentry-never-created"),
      log: (m) => messages.push(m),
    });
    expect(services.databaseUrl).toBe(PG_URL);
    expect(services.redisUrl).toBe(REDIS_URL);
    expect(services.started).toEqual([]);
    await services.stop();
    expect(await postgresAnswers(PG_URL)).toBe(true);
    expect(await redisAnswers(REDIS_URL)).toBe(true);
  });

  it("starts a private PostgreSQL and Redis when the URLs do not answer", {
    timeout: 120_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "consentry-services-"));
    const messages: string[] = [];
    const began = Date.now();
    try {
      const services = await ensureServices({
        databaseUrl: `postgres://postgres:secret-pw@127.0.0.1:${await closedPort()}/postgres`,
        redisUrl: `redis://127.0.0.1:${await closedPort()}`,
        dataDir,
        log: (m) => messages.push(m),
      });
      const startedIn = Date.now() - began;
      try {
        expect(services.started).toEqual(["postgres", "redis"]);
        expect(services.databaseUrl).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/consentry$/);
        expect(await postgresAnswers(services.databaseUrl)).toBe(true);
        expect(await redisAnswers(services.redisUrl)).toBe(true);
      } finally {
        await services.stop();
      }
      console.log(`private services: started in ${startedIn} ms, whole test ${Date.now() - began} ms`);
      expect(await postgresAnswers(services.databaseUrl)).toBe(false);
      expect(await redisAnswers(services.redisUrl)).toBe(false);
      const password = new URL(services.databaseUrl).password;
      expect(messages.join("\n")).not.toContain(password);
      expect(messages.join("\n")).not.toContain("secret-pw");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("ensureDatabase", () => {
  it("creates a missing database once", async () => {
    const name = `services_test_${process.pid}_${Date.now()}`;
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    try {
      expect(await ensureDatabase(PG_URL, name)).toBe(true);
      expect(await ensureDatabase(PG_URL, name)).toBe(false);
      const rows = await sql`select 1 from pg_database where datname = ${name}`;
      expect(rows).toHaveLength(1);
    } finally {
      await sql.unsafe(`drop database if exists "${name}"`);
      await sql.end();
    }
  });

  it("rejects names that are not [a-z0-9_]", async () => {
    await expect(ensureDatabase(PG_URL, 'bad"; drop')).rejects.toThrow(/invalid database name/);
  });
});
