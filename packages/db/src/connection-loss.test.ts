import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, sql } from "./index";
import { createTestDatabase } from "./testing";

// A transaction whose connection dies while its callback still works elsewhere (the erasure holds
// its lock transaction open while it deletes on other connections). postgres.js 3.4.9 then wrote
// the callback's next query, or its own COMMIT/ROLLBACK, to the closed socket from a timer: an
// uncaught TypeError that took the ops worker down during a PostgreSQL outage. Patched in
// patches/postgres+3.4.9.patch (upstream porsager/postgres#1208, #1155) until a release fixes it.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: ReturnType<typeof createDatabase>;
const uncaught: unknown[] = [];
const collect = (error: unknown) => void uncaught.push(error);

beforeAll(async () => {
  testDb = await createTestDatabase();
  pool = createDatabase(testDb.url, { applicationName: "consentry-connection-loss-test", max: 3 });
  await testDb.db.execute(sql`create table connection_loss_marks (note text not null)`);
  process.on("uncaughtException", collect);
});
afterAll(async () => {
  process.off("uncaughtException", collect);
  await pool?.close();
  await testDb?.drop();
});
afterEach(() => {
  uncaught.length = 0;
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** Runs `work` inside a transaction whose backend is terminated (as a server shutdown does) first. */
async function transactionLosingItsConnection(
  work: (tx: Parameters<Parameters<typeof pool.db.transaction>[0]>[0]) => Promise<unknown>,
) {
  return pool.db.transaction(async (tx) => {
    const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
    await testDb.db.execute(sql`select pg_terminate_backend(${row?.pid})`);
    await settle(); // the close arrives while the callback does other work
    return work(tx);
  });
}

describe("a transaction whose connection is lost", () => {
  it("rejects, and the process survives the rollback that follows a failed callback", async () => {
    await expect(
      transactionLosingItsConnection(async () => {
        await pool.db.execute(sql`select 1`); // work on another connection still succeeds
        throw new Error("the erasure step failed");
      }),
    ).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    await settle();
    expect(uncaught).toEqual([]);
  });

  it("rejects, and the process survives the commit that follows a successful callback", async () => {
    await expect(transactionLosingItsConnection(async () => "done")).rejects.toMatchObject({
      code: "CONNECTION_CLOSED",
    });
    await settle();
    expect(uncaught).toEqual([]);
  });

  it("refuses the callback's later queries instead of running them outside the transaction", async () => {
    const late = transactionLosingItsConnection((tx) =>
      tx.execute(sql`insert into connection_loss_marks (note) values ('outside the transaction')`),
    );
    await expect(late).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    await settle();
    expect(uncaught).toEqual([]);
    expect(await testDb.db.execute(sql`select note from connection_loss_marks`)).toHaveLength(0);
    // The pool itself recovers: a new transaction commits on a fresh connection.
    await pool.db.transaction((tx) => tx.execute(sql`insert into connection_loss_marks (note) values ('after')`));
    expect(await testDb.db.execute(sql`select note from connection_loss_marks`)).toEqual([{ note: "after" }]);
  });
});
