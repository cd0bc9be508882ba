import { z } from "zod";

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
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !FORMULA_START.test(value), { error: "formulaLike" });
