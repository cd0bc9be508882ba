import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDatabase>["db"];
/** A database handle or an open transaction on it. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

/** One postgres.js pool with its drizzle handle; `applicationName` shows up in pg_stat_activity. */
export function createDatabase(url: string, options: { applicationName: string; max?: number }) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connection: { application_name: options.applicationName },
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema, casing: "snake_case" });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
