export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
export const LOCALE_COOKIE = "NEXT_LOCALE";
export const TIME_ZONE = "Asia/Shanghai";

/** The saved choice, else the browser's first supported language, else Chinese. */
export function pickLocale(saved: string | undefined, acceptLanguage: string | null): Locale {
  if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase() ?? "";
    if (tag.startsWith("zh")) return "zh-CN";
    if (tag.startsWith("en")) return "en";
  }
  return DEFAULT_LOCALE;
}

/** A date input's value (YYYY-MM-DD): the day in Shanghai, where the sites are. */
export const dateInputValue = (date: Date) => date.toLocaleDateString("sv-SE", { timeZone: TIME_ZONE });

/** A day picked in a date input (YYYY-MM-DD) as its first and last instant in Shanghai (UTC+8 all year). */
export const shanghaiDayStart = (day: string) => new Date(`${day}T00:00:00.000+08:00`);
export const shanghaiDayEnd = (day: string) => new Date(`${day}T23:59:59.999+08:00`);
