"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { Button } from "~/components/ui";

/** A page that failed to render: what happened in the reader's language, a retry, the way home. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("errors");
  return (
    <div className="mx-auto max-w-md py-16 text-center" role="alert">
      <h1 className="text-2xl font-semibold">{t("failedTitle")}</h1>
      <p className="mt-2 text-sm text-slate-600">{t("failedBody")}</p>
      {error.digest && (
        <p className="mt-2 font-mono text-xs text-slate-400">{t("reference", { digest: error.digest })}</p>
      )}
      <div className="mt-6 flex justify-center gap-3">
        <Button onClick={() => reset()}>{t("retry")}</Button>
        <Link href="/" className="self-center text-sm text-brand-700 hover:underline">
          {t("home")}
        </Link>
      </div>
    </div>
  );
}
