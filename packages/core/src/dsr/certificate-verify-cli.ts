// `npm run certificate:verify -- <certificate.json>` or `-- --reference R-…`: checks a deletion
// or withdrawal certificate against the audit chain (the issuing entry records its SHA-256, that
// entry and the whole chain verify, the request stores the same certificate) and prints a verdict.
// `--json` prints the verdict as JSON. Exit status 0: valid; 1: not valid; 2: wrong usage.
// Uses DATABASE_URL and CONSENTRY_AUDIT_KEYS like the ops worker. Reads only; writes nothing.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { formatVerdict, verifyCertificateFile, verifyCertificateReference } from "./certificate-verify";

const USAGE = "usage: npm run certificate:verify -- <certificate.json> | --reference <R-…> [--json]";

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if ((file === undefined) === (values.reference === undefined) || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  const bytes = file === undefined ? null : await readFile(file);
  const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-certificate-verify", max: 1 });
  try {
    const verdict = bytes
      ? await verifyCertificateFile(database.db, bytes)
      : await verifyCertificateReference(database.db, values.reference as string);
    console.log(values.json ? JSON.stringify(verdict, null, 2) : formatVerdict(verdict));
    return verdict.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { reference: { type: "string" }, json: { type: "boolean", default: false } },
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  // One line, PostgreSQL's own message (a drizzle error's cause), never the query's parameters.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  console.error(`certificate:verify: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exitCode = 2;
}
