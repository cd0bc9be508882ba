// `npm run retention -- --dry-run`: prints, as JSON, what a retention run would delete now (per site
// and kind, counts only). Without --dry-run it runs the retention job once, as the ops worker does
// hourly, and prints its counts. Uses DATABASE_URL and CONSENTRY_STORAGE_DIR like the ops worker.
import { parseArgs } from "node:util";
import { retentionDue, runRetention, totalsOf } from "@consentry/core/retention";
import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { publishInvalidation, redisConnection } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { Redis } from "ioredis";

const { values } = parseArgs({ options: { "dry-run": { type: "boolean", default: false } } });
const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-retention-cli", max: 2 });
try {
  const now = new Date();
  if (values["dry-run"]) {
    const due = Object.fromEntries(await retentionDue(database.db, { now }));
    console.log(JSON.stringify({ dryRun: true, at: now.toISOString(), totals: totalsOf(due), due }, null, 2));
  } else {
    const storage = createFileStore(env.CONSENTRY_STORAGE_DIR);
    const { runId, counts, templateSiteIds } = await runRetention({ db: database.db, storage, now });
    // The inference workers drop deleted templates from their galleries, as after the hourly job.
    const redis = new Redis(redisConnection(env.REDIS_URL));
    try {
      for (const siteId of templateSiteIds) {
        await publishInvalidation(redis, env.QUEUE_PREFIX, { type: "gallery", siteId });
      }
    } finally {
      redis.disconnect();
    }
    console.log(
      JSON.stringify(
        { dryRun: false, runId, at: now.toISOString(), totals: totalsOf(counts), deleted: counts },
        null,
        2,
      ),
    );
  }
} catch (error) {
  // One line, PostgreSQL's own message (a drizzle error's cause), never the query's parameters.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  console.error(`retention: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
