import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { backfillCameraFingerprints } from "./backfill";

// After `npm run migrate -w @consentry/db`: the owner's connection, like the migrations.
const database = createDatabase(env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL, {
  applicationName: "consentry-migrate",
});
try {
  const { fingerprinted, duplicates } = await backfillCameraFingerprints(database.db);
  console.log(`camera fingerprints: ${fingerprinted} added`);
  for (const d of duplicates) {
    console.warn(`camera ${d.cameraId} (organisation ${d.orgId}) shares its stream ${d.masked} with an earlier camera`);
  }
} finally {
  await database.close();
}
