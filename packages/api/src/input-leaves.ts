import type { z } from "zod";

/** A string or date somewhere in an input schema, with its path (`[]` marks an array element). */
export type InputLeaf = { path: (string | "[]")[]; kind: "text" | "format" | "date"; schema: z.core.$ZodType };

/**
 * Every string and date an input schema accepts, found by walking its zod definition: the fuzz
 * test puts hostile values there, the guard test checks each carries the shared hygiene check.
 */
export function inputLeaves(schema: z.core.$ZodType, path: InputLeaf["path"] = []): InputLeaf[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (inner: unknown, at = path) => inputLeaves(inner as z.core.$ZodType, at);
  switch (def.type) {
    case "object":
      return Object.entries(def.shape as Record<string, z.core.$ZodType>).flatMap(([key, value]) =>
        walk(value, [...path, key]),
      );
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return walk(def.innerType);
    case "pipe":
      // What the caller sends is what the first schema of a pipe reads.
      return walk(def.in);
    case "array":
      return walk(def.element, [...path, "[]"]);
    case "union":
      return (def.options as unknown[]).flatMap((option) => walk(option));
    case "string":
      return [{ path, kind: def.format ? "format" : "text", schema }];
    case "date":
      return [{ path, kind: "date", schema }];
    default:
      return [];
  }
}
