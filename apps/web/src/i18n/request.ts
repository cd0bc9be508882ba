import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, pickLocale, TIME_ZONE } from "./locales";

export default getRequestConfig(async () => {
  const locale = pickLocale((await cookies()).get(LOCALE_COOKIE)?.value, (await headers()).get("accept-language"));
  const [main, findings] = await Promise.all([
    import(`../../messages/${locale}.json`),
    // The rules engine's findings by code (see FINDING_CODES in @consentry/compliance), kept apart from the UI texts.
    import(`../../messages/findings.${locale}.json`),
  ]);
  return {
    locale,
    timeZone: TIME_ZONE,
    messages: { ...main.default, findings: findings.default },
  };
});
