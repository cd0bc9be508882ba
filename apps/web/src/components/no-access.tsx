import { getTranslations } from "next-intl/server";
import { Card, EmptyState } from "./ui";

export async function NoAccess() {
  const t = await getTranslations("common");
  return (
    <Card>
      <EmptyState title={t("noAccessTitle")} body={t("noAccessBody")} />
    </Card>
  );
}
