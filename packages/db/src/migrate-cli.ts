import { env } from "@consentry/env";
import { runMigrations } from "./migrate";

await runMigrations(env.DATABASE_URL);
console.log("migrations applied");
