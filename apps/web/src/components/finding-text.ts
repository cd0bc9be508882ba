import { useFormatter, useTranslations } from "next-intl";
import { useCallback } from "react";

/**
 * What the UI shows of a rules-engine finding. `code` and `params` are missing from findings stored
 * before the engine gave them (compliance snapshots); those keep their English text.
 */
export interface FindingTextSource {
  code?: string;
  params?: Record<string, string | number>;
  message: string;
  remediation: string;
}

export interface FindingText {
  message: string;
  remediation: string;
}

/**
 * Params that hold enum values, by their enum under `findings.enums` (FINDING_ENUM_PARAMS in
 * @consentry/compliance, which client code cannot import). `fields` is a ", "-joined list.
 */
export const FINDING_ENUM_PARAMS: Readonly<Record<string, string>> = {
  purpose: "purpose",
  consentPurpose: "purpose",
  requestType: "requestType",
  locationType: "locationType",
  fields: "noticeField",
};
const LIST_PARAMS = new Set(["fields"]);

/** The argument names an ICU message uses (`{name`, `{name, number}`). */
export const messagePlaceholders = (message: string) =>
  new Set([...message.matchAll(/\{\s*([A-Za-z0-9_]+)/g)].map((match) => match[1] as string));

/** The part of next-intl's translator (scoped to "findings") that findings need. */
export interface FindingTranslator {
  (key: string, values?: Record<string, string | number>): string;
  has(key: string): boolean;
  raw(key: string): unknown;
}

/** A day the engine names as YYYY-MM-DD (a deadline), shown in the reader's date format like every other date. */
const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;

/** How the reader writes lists and days. */
export interface FindingFormats {
  list: (items: string[]) => string;
  day: (dayKey: string) => string;
}

/** A formatter's medium date for a Shanghai day key (the engine's deadlines are days in Asia/Shanghai). */
export const shanghaiDay = (format: (date: Date) => string) => (dayKey: string) =>
  format(new Date(`${dayKey}T12:00:00+08:00`));

function translateParam(name: string, value: string | number, t: FindingTranslator, formats: FindingFormats) {
  if (typeof value === "string" && DAY_KEY.test(value)) return formats.day(value);
  const enumName = FINDING_ENUM_PARAMS[name];
  if (!enumName || typeof value !== "string") return value;
  const label = (item: string) => {
    const key = `enums.${enumName}.${item}`;
    return t.has(key) ? t(key) : item.replaceAll("_", " ");
  };
  return LIST_PARAMS.has(name) ? formats.list(value.split(/,\s*/).map(label)) : label(value);
}

/**
 * The finding in the translator's language, or its English text if its code is unknown here, or
 * a translation needs a param the finding does not have.
 */
export function translateFinding(
  finding: FindingTextSource,
  t: FindingTranslator,
  formats: FindingFormats,
): FindingText {
  const english = { message: finding.message, remediation: finding.remediation };
  const { code, params } = finding;
  if (!code || !params) return english;
  const values = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, translateParam(name, value, t, formats)]),
  );
  const text: Partial<FindingText> = {};
  for (const part of ["message", "remediation"] as const) {
    const key = `${code}.${part}`;
    if (!t.has(key)) return english;
    const raw = t.raw(key);
    if (typeof raw !== "string" || [...messagePlaceholders(raw)].some((name) => !(name in values))) return english;
    text[part] = t(key, values);
  }
  return { message: text.message ?? finding.message, remediation: text.remediation ?? finding.remediation };
}

/** `(finding) => ({ message, remediation })` in the user's language, English where no translation fits. */
export function useFindingText(): (finding: FindingTextSource) => FindingText {
  const t = useTranslations("findings");
  const format = useFormatter();
  return useCallback(
    (finding: FindingTextSource) =>
      translateFinding(finding, t, {
        list: (items) => format.list(items, { type: "conjunction", style: "narrow" }),
        day: shanghaiDay((date) => format.dateTime(date, { dateStyle: "medium" })),
      }),
    [t, format],
  );
}
