import type { ReportLanguage } from "@consentry/core/regulator";
import type { NextRequest } from "next/server";
import { type AbstractIntlMessages, createTranslator } from "next-intl";
import { type FindingTranslator, shanghaiDay, translateFinding } from "~/components/finding-text";
import { LOCALE_COOKIE, LOCALES, type Locale, pickLocale, TIME_ZONE } from "~/i18n/locales";
import { loadMessages } from "~/i18n/messages";

/** The report's language: `?locale=` if the page passed one, else the reader's, as the UI picks it. */
export function reportLocale(request: NextRequest): Locale {
  const asked = request.nextUrl.searchParams.get("locale");
  if (asked && (LOCALES as readonly string[]).includes(asked)) return asked as Locale;
  return pickLocale(request.cookies.get(LOCALE_COOKIE)?.value, request.headers.get("accept-language"));
}

/**
 * Findings and severities in `locale`, from the texts the UI shows them with (findings.<locale>.json),
 * so a report reads as the console does; a finding without a fitting translation keeps its English.
 */
export function reportLanguage(locale: Locale): ReportLanguage {
  const messages = loadMessages(locale) as AbstractIntlMessages;
  const findings = createTranslator({ locale, messages, namespace: "findings" }) as unknown as FindingTranslator;
  const compliance = createTranslator({ locale, messages, namespace: "compliance" }) as unknown as FindingTranslator;
  const list = new Intl.ListFormat(locale, { type: "conjunction", style: "narrow" });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: TIME_ZONE });
  return {
    findingMessage: (finding) =>
      translateFinding({ ...finding, params: finding.params ?? undefined }, findings, {
        list: (items) => list.format(items),
        day: shanghaiDay((date) => day.format(date)),
      }).message,
    severity: (severity) => compliance(`severity.${severity}`),
  };
}
