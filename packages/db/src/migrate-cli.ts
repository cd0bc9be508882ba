import { env } from "@consentry/env";
import { runMigrations } from "./migrate";

// The owner's connection: the application's own role (DATABASE_URL) must not own the tables.
await runMigrations(env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL);
console.log("migrations applied");
