import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { LanguageSwitch } from "~/components/language-switch";

export const dynamic = "force-dynamic";

/** The public portal: no account, phone-sized first. */
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const t = await getTranslations("portal");
  return (
    <div className="min-h-screen bg-slate-50">
      <header className="flex items-center justify-between border-b border-slate-200 bg-white px-4 py-3">
        <div>
          <p className="font-semibold text-brand-700">Consentry</p>
          <p className="text-xs text-slate-500">{t("tagline")}</p>
        </div>
        <LanguageSwitch />
      </header>
      <main className="mx-auto w-full max-w-lg px-4 py-6">{children}</main>
    </div>
  );
}
