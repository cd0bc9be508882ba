"use client";

import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { LOCALES, type Locale } from "~/i18n/locales";
import { chooseLocale } from "~/server/preferences";

const LABELS: Record<Locale, string> = { "zh-CN": "中文", en: "English" };

export function LanguageSwitch() {
  const t = useTranslations("common");
  const locale = useLocale();
  const router = useRouter();
  return (
    <select
      aria-label={t("language")}
      value={locale}
      className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
      onChange={async (event) => {
        await chooseLocale(event.target.value);
        router.refresh();
      }}
    >
      {LOCALES.map((code) => (
        <option key={code} value={code}>
          {LABELS[code]}
        </option>
      ))}
    </select>
  );
}
