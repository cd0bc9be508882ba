import { getTranslations } from "next-intl/server";
import { Alert, Card, EmptyState, PageHeader, Table, Td } from "~/components/ui";
import { serverApi } from "~/server/caller";
import { AreaGuard } from "~/server/guard";

async function RegulatorOverview() {
  const t = await getTranslations();
  const overview = await (await serverApi()).regulator.overview();
  return (
    <>
      <PageHeader
        title={t("regulator.title")}
        subtitle={t("regulator.subtitle", {
          authority: overview.authority,
          codes: overview.jurisdictionCodes.join(", "),
        })}
      />
      <div className="mb-4">
        <Alert tone="blue">{t("regulator.notice")}</Alert>
      </div>
      <Card>
        {overview.sites.length === 0 ? (
          <EmptyState title={t("regulator.emptyTitle")} body={t("regulator.emptyBody")} />
        ) : (
          <Table
            head={[
              t("regulator.organization"),
              t("regulator.site"),
              t("regulator.region"),
              t("regulator.kind"),
              t("regulator.cameras"),
              t("regulator.frCameras"),
            ]}
          >
            {overview.sites.map((site) => (
              <tr key={site.siteId}>
                <Td>{site.orgName}</Td>
                <Td className="font-medium">{site.siteName}</Td>
                <Td className="font-mono text-xs">{site.regionCode}</Td>
                <Td>{t(`sites.kinds.${site.kind}`)}</Td>
                <Td>{site.cameraCount}</Td>
                <Td>{site.frCameraCount}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}

export default function RegulatorPage() {
  return (
    <AreaGuard area="regulator">
      <RegulatorOverview />
    </AreaGuard>
  );
}
