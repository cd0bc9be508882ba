import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));

/** The group role the application's login is a member of (created by drizzle/0009). */
export const APP_GROUP_ROLE = "consentry_app";
/** The login the demo and the tests give the web app, workers and gateway. */
export const APP_LOGIN_ROLE = "consentry_app_login";

/**
 * Applies the committed SQL migrations in drizzle/ on a dedicated single connection. Run it as
 * the tables' owner (MIGRATION_DATABASE_URL), never as the application's role.
 */
export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "consentry-migrate" } });
  try {
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * For the demo and the tests: makes sure the login role APP_LOGIN_ROLE exists as a member of
 * APP_GROUP_ROLE and returns `ownerUrl` with that login, for the web app, workers and gateway.
 * Run it as a role that may create roles, after the migrations. Its password is derived from the
 * owner's (a private cluster needs one; with trust authentication there is none), so every run
 * on a cluster agrees on it and nobody has to store it. Production creates its own login instead
 * (README, "Database roles").
 */
export async function ensureAppLogin(ownerUrl: string): Promise<string> {
  const owner = new URL(ownerUrl);
  const password = owner.password
    ? createHmac("sha256", decodeURIComponent(owner.password)).update(APP_LOGIN_ROLE).digest("base64url")
    : "";
  const sql = postgres(ownerUrl, { max: 1, onnotice: () => {}, connection: { application_name: "consentry-migrate" } });
  try {
    const [exists] = await sql`select 1 from pg_roles where rolname = ${APP_LOGIN_ROLE}`;
    if (!exists) {
      // The password is base64url: safe inside the quotes.
      await sql
        .unsafe(
          `create role ${APP_LOGIN_ROLE} login in role ${APP_GROUP_ROLE}${password ? ` password '${password}'` : ""}`,
        )
        .catch((error: { code?: string }) => {
          // Another process created it meanwhile (duplicate_object, or unique_violation in the race).
          if (error.code !== "42710" && error.code !== "23505") throw error;
        });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  const app = new URL(ownerUrl);
  app.username = APP_LOGIN_ROLE;
  app.password = password;
  return app.toString();
}
