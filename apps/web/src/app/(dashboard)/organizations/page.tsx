import { getFormatter, getTranslations } from "next-intl/server";
import { Card, EmptyState, PageHeader, Table, Td } from "~/components/ui";
import { serverApi } from "~/server/caller";
import { AreaGuard } from "~/server/guard";
import { CreateOrganization } from "./create-organization";

async function OrganizationList() {
  const t = await getTranslations("organizations");
  const format = await getFormatter();
  const organizations = await (await serverApi()).admin.organizations();
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} actions={<CreateOrganization />} />
      <Card>
        {organizations.length === 0 ? (
          <EmptyState title={t("emptyTitle")} />
        ) : (
          <Table head={[t("name"), t("slug"), t("profile"), t("members"), t("created")]}>
            {organizations.map((org) => (
              <tr key={org.id}>
                <Td className="font-medium">{org.name}</Td>
                <Td className="font-mono text-xs">{org.slug}</Td>
                <Td>{org.jurisdictionProfile}</Td>
                <Td>{org.memberCount}</Td>
                <Td className="text-slate-600">{format.dateTime(org.createdAt, { dateStyle: "medium" })}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}

export default function OrganizationsPage() {
  return (
    <AreaGuard area="admin">
      <OrganizationList />
    </AreaGuard>
  );
}
