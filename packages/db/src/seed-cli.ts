import { env } from "@consentry/env";
import { createDatabase } from "./client";
import { seedDemo } from "./seed";

const { db, close } = createDatabase(env.DATABASE_URL, { applicationName: "consentry-seed", max: 2 });
try {
  const { created } = await seedDemo(db);
  console.log(created ? "demo data seeded" : "demo data already present, left as it is");
} finally {
  await close();
}
