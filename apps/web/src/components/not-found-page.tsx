import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** The 404 page's body, in the reader's language (app/not-found.tsx and the dashboard's). */
export async function NotFoundPage() {
  const t = await getTranslations("errors");
  return (
    <div className="mx-auto max-w-md py-16 text-center" data-testid="not-found">
      <p className="text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold">{t("pageNotFoundTitle")}</h1>
      <p className="mt-2 text-sm text-slate-600">{t("pageNotFoundBody")}</p>
      <Link href="/" className="mt-6 inline-block text-sm text-brand-700 hover:underline">
        {t("home")}
      </Link>
    </div>
  );
}
