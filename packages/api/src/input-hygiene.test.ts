import { readFileSync } from "node:fs";
import * as validators from "@consentry/core/validators";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type InputLeaf, inputLeaves } from "./input-leaves";
import { appRouter } from "./root";

/**
 * Input hygiene is only in one place if every string and date goes through it: this walks the zod
 * schema of every procedure's input (and every schema the validators export) and fails on a
 * string or date built without `text()` / `storableDate()` from packages/core/src/validators/common.ts.
 * Strings with a strict format (uuid, email) cannot hold a NUL byte or a surrogate and pass as they are.
 */
const STRICT_FORMATS = new Set(["uuid", "email"]);

function rawLeaves(schema: z.core.$ZodType): string[] {
  return inputLeaves(schema)
    .filter((leaf) => !isHygienic(leaf))
    .map((leaf) => `${leaf.path.join(".") || "(input)"}: ${leaf.kind === "date" ? "z.coerce.date()" : "z.string()"}`);
}
function isHygienic(leaf: InputLeaf): boolean {
  const def = leaf.schema._zod.def as { checks?: unknown[]; format?: string };
  if (leaf.kind === "format") return STRICT_FORMATS.has(String(def.format));
  const check = leaf.kind === "date" ? validators.storableDateRange : validators.storableText;
  return def.checks?.includes(check) ?? false;
}

type Procedure = { _def: { inputs: z.core.$ZodType[] } };

describe("input hygiene", () => {
  it("every procedure's strings and dates go through the shared helpers", () => {
    const raw = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>).flatMap(
      ([path, procedure]) => procedure._def.inputs.flatMap(rawLeaves).map((leaf) => `${path} ${leaf}`),
    );
    expect(raw).toEqual([]);
  });

  it("every schema the validators export does too", () => {
    const raw = Object.entries(validators as Record<string, unknown>)
      .filter((entry): entry is [string, z.core.$ZodType] => entry[1] instanceof z.core.$ZodType)
      .flatMap(([name, schema]) => rawLeaves(schema).map((leaf) => `${name} ${leaf}`));
    expect(raw).toEqual([]);
  });

  it("notices a raw string or date, also behind optional, nullable, arrays and pipes", () => {
    const schema = z.object({
      name: validators.text().trim().min(1),
      note: z.string().max(10).optional(),
      tags: z.array(z.string().nullable()),
      at: validators.storableDate().nullable(),
      when: z.coerce.date(),
      piped: z.string().pipe(validators.text()),
      id: z.uuid(),
      link: z.url(),
    });
    expect(rawLeaves(schema)).toEqual([
      "note: z.string()",
      "tags.[]: z.string()",
      "when: z.coerce.date()",
      "piped: z.string()",
      "link: z.string()",
    ]);
  });

  it("refuses NUL bytes, lone surrogates and dates outside 0001-9999 with message keys", () => {
    const messages = (schema: z.ZodType, value: unknown) =>
      schema.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];
    const text = validators.text().trim().max(20);
    expect(messages(text, "a\u0000b")).toEqual(["nulCharacter"]);
    expect(messages(text, "a\ud800")).toEqual(["loneSurrogate"]);
    expect(messages(text, "\udc00a")).toEqual(["loneSurrogate"]);
    expect(messages(text, "人脸 😀")).toEqual([]);
    const date = validators.storableDate();
    expect(messages(date, new Date("0000-01-01T00:00:00Z"))).toEqual(["dateRange"]);
    expect(messages(date, new Date("-100000-01-01T00:00:00Z"))).toEqual(["dateRange"]);
    expect(messages(date, new Date("+010000-01-01T00:00:00Z"))).toEqual(["dateRange"]);
    expect(messages(date, "0001-01-01T00:00:00Z")).toEqual([]);
    expect(messages(date, "9999-12-31T23:59:59.999Z")).toEqual([]);
  });

  it("has its message keys translated in both languages", () => {
    for (const locale of ["en", "zh-CN"]) {
      const file = new URL(`../../../apps/web/messages/areas/input-hygiene.${locale}.json`, import.meta.url);
      const { validation } = JSON.parse(readFileSync(file, "utf8")) as { validation: Record<string, string> };
      expect(Object.keys(validation).sort()).toEqual(["dateRange", "loneSurrogate", "nulCharacter"]);
    }
  });
});
