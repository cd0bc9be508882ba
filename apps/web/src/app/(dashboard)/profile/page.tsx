import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import { Card, PageHeader } from "~/components/ui";
import { requirePrincipal } from "~/server/access";
import { serverApi } from "~/server/caller";
import { auth } from "~/server/services";
import { ChangePasswordForm } from "./change-password-form";
import { SessionsList } from "./sessions-list";
import { TwoFactorSection } from "./two-factor-section";

export const dynamic = "force-dynamic";

/** Every signed-in user's own account: password, sessions, two-factor (issue #16.3, #16.4). */
export default async function ProfilePage() {
  await requirePrincipal();
  const t = await getTranslations("profile");
  const api = await serverApi();
  const [overview, sessions, current] = await Promise.all([
    api.profile.overview(),
    api.profile.sessions(),
    auth.api.getSession({ headers: await headers() }),
  ]);
  const section = "space-y-4 p-6";
  return (
    <div className="space-y-6">
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <Card className={section}>
        <h2 className="text-base font-semibold">{t("account")}</h2>
        <dl className="grid max-w-lg grid-cols-[8rem_1fr] gap-y-2 text-sm">
          <dt className="text-slate-500">{t("name")}</dt>
          <dd data-testid="profile-name">{overview.name}</dd>
          <dt className="text-slate-500">{t("email")}</dt>
          <dd data-testid="profile-email">{overview.email}</dd>
        </dl>
      </Card>
      <Card className={section}>
        <h2 className="text-base font-semibold">{t("passwordTitle")}</h2>
        <p className="text-sm text-slate-600">{t("passwordHint")}</p>
        <ChangePasswordForm />
      </Card>
      <Card className={section}>
        <h2 className="text-base font-semibold">{t("twoFactorTitle")}</h2>
        <TwoFactorSection
          enabled={overview.twoFactorEnabled}
          requiredBy={overview.twoFactorRequiredBy.map((org) => org.name)}
        />
      </Card>
      <Card className={section}>
        <h2 className="text-base font-semibold">{t("sessionsTitle")}</h2>
        <p className="text-sm text-slate-600">{t("sessionsHint")}</p>
        <SessionsList sessions={sessions} currentSessionId={current?.session.id ?? null} />
      </Card>
    </div>
  );
}
