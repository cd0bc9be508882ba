import { stringify } from "csv-stringify/sync";

// The one CSV writer of the app. Every export goes through it, so no cell reaches a spreadsheet
// as a formula (OWASP "CSV injection"): csv-stringify's `escape_formulas` prefixes a cell that
// starts with =, +, -, @, tab or CR (and their full-width forms) with ', leaving negative numbers
// alone, and quotes what needs quoting.

export type CsvCell = string | number | boolean | Date | null | undefined;

/** UTF-8 with BOM, so spreadsheet programs read the Chinese names. */
export function toCsv(columns: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return stringify(
    rows.map((row) => [...row]),
    {
      header: true,
      columns: [...columns],
      bom: true,
      escape_formulas: true,
      cast: { boolean: (value) => (value ? "true" : "false"), date: (value) => value.toISOString() },
    },
  );
}
