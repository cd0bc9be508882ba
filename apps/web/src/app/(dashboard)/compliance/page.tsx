import { getTranslations } from "next-intl/server";
import { Card, EmptyState, PageHeader } from "~/components/ui";
import { AreaGuard } from "~/server/guard";

export default async function CompliancePage() {
  const t = await getTranslations();
  return (
    <AreaGuard area="organization">
      <PageHeader title={t("compliance.title")} />
      <Card>
        <EmptyState title={t("common.notYetTitle")} body={t("compliance.body")} />
      </Card>
    </AreaGuard>
  );
}
