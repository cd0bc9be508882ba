import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Locale } from "./locales";

type Tree = { [key: string]: string | Tree };

// apps/web/messages: `<locale>.json` (the UI), `findings.<locale>.json` (the rules engine's
// findings by code) and `areas/<area>.<locale>.json`, one per feature, deep-merged into the UI texts.
const MESSAGES_DIR = join(process.cwd(), "messages");

const readJson = (file: string): Tree => JSON.parse(readFileSync(join(MESSAGES_DIR, file), "utf8"));

function merge(into: Tree, from: Tree): Tree {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    into[key] = typeof value === "object" && typeof existing === "object" ? merge(existing, value) : value;
  }
  return into;
}

/** Every message of one locale. */
export function loadMessages(locale: Locale): Tree {
  const areas = readdirSync(join(MESSAGES_DIR, "areas"))
    .filter((file) => file.endsWith(`.${locale}.json`))
    .sort();
  const main = readJson(`${locale}.json`);
  for (const file of areas) merge(main, readJson(join("areas", file)));
  return { ...main, findings: readJson(`findings.${locale}.json`) };
}
