import { env } from "@consentry/env";
import { readMailbox } from "@consentry/mail/dev-server";
import { notFound } from "next/navigation";
import { getFormatter, getTranslations } from "next-intl/server";

export const dynamic = "force-dynamic";

/** The demo's inbox: mail the in-process SMTP server received. Never served in production. */
export default async function DevMailboxPage() {
  if (env.APP_ENV === "production" || !env.CONSENTRY_DEV_MAILBOX_DIR) notFound();
  const t = await getTranslations("devMailbox");
  const format = await getFormatter();
  const mails = await readMailbox(env.CONSENTRY_DEV_MAILBOX_DIR);
  return (
    <main className="mx-auto max-w-2xl space-y-4 p-6">
      <h1 className="text-lg font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600">{t("subtitle")}</p>
      {mails.length === 0 && <p className="text-sm text-slate-500">{t("empty")}</p>}
      {mails.map((mail) => (
        <article key={mail.id} className="rounded-lg border border-slate-200 bg-white p-4" data-testid="mail">
          <p className="text-xs text-slate-500">
            {format.dateTime(new Date(mail.receivedAt), { dateStyle: "short", timeStyle: "medium" })} → {mail.to}
          </p>
          <h2 className="font-medium">{mail.subject}</h2>
          <pre className="mt-2 whitespace-pre-wrap text-sm">{mail.text}</pre>
        </article>
      ))}
    </main>
  );
}
