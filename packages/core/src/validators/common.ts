import { z } from "zod";

// Input hygiene in one place: every string and date a procedure accepts is built from `text()` and
// `storableDate()`, so what PostgreSQL cannot store is a 400 naming the field, never a 500.
// packages/api/src/input-hygiene.test.ts walks every procedure's input and fails on a raw one.

/** An unpaired UTF-16 surrogate: PostgreSQL would store U+FFFD instead, so a hash of it would never match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Refuses text PostgreSQL cannot store as given: a NUL byte (an error there) or a lone surrogate. */
export const storableText = z.superRefine<string>((value, ctx) => {
  if (value.includes("\u0000")) ctx.addIssue({ code: "custom", message: "nulCharacter" });
  else if (LONE_SURROGATE.test(value)) ctx.addIssue({ code: "custom", message: "loneSurrogate" });
});

/** `z.string()` for anything that may reach the database; chain `.trim().min().max()` as usual. */
export const text = () => z.string().check(storableText);

/**
 * PostgreSQL stores years 4713 BC to 294276 AD, but dates travel as ISO strings, which it parses
 * only for years 0001-9999 (year 0 and the "+010000" form are refused): that is the range we take.
 */
export const EARLIEST_DATE = new Date("0001-01-01T00:00:00.000Z");
export const LATEST_DATE = new Date("9999-12-31T23:59:59.999Z");
export const storableDateRange = z.refine<Date>((value) => value >= EARLIEST_DATE && value <= LATEST_DATE, {
  error: "dateRange",
});

/** `z.coerce.date()` limited to what the database stores. */
export const storableDate = () => z.coerce.date().check(storableDateRange);

export const pageInput = z.object({
  page: z.int().min(1).max(10_000).default(1),
  pageSize: z.int().min(1).max(100).default(20),
});

/**
 * A first character that makes a spreadsheet evaluate the cell (=, +, -, @, tab, CR and their
 * full-width forms), the same set the CSV export escapes (packages/core/src/csv.ts).
 */
export const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * A name or label that ends up in an export or report: trimmed, bounded, and never starting like
 * a formula, so a spreadsheet opening the export cannot run it.
 */
export const exportSafeText = (min: number, max: number) =>
  text()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !FORMULA_START.test(value), { error: "formulaLike" });
