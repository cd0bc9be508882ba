import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrationsFolder } from "./migrate";

type Journal = { entries: { idx: number; when: number; tag: string }[] };
const journal: Journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8"));

describe("drizzle migrations", () => {
  // The migrator skips a migration whose timestamp is older than the newest applied one.
  it("journal times strictly increase", () => {
    const times = journal.entries.map((entry) => entry.when);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
  });

  it("every journal entry has its SQL file and every SQL file is in the journal", () => {
    const files = readdirSync(migrationsFolder)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    expect(files).toEqual(journal.entries.map((entry) => `${entry.tag}.sql`));
  });
});
