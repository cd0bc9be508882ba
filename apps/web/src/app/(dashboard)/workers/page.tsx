import { getTranslations } from "next-intl/server";
import { Alert, Badge, Card, PageHeader, Table, Td } from "~/components/ui";
import { currentHealth } from "~/server/current-health";
import { AreaGuard } from "~/server/guard";

async function WorkerList() {
  const t = await getTranslations("workers");
  const { workers } = await currentHealth();
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {workers ? (
        <Card>
          <Table head={[t("queue"), t("count")]}>
            {Object.entries(workers).map(([queue, count]) => (
              <tr key={queue}>
                <Td className="font-mono">{queue}</Td>
                <Td>{count > 0 ? <Badge tone="green">{count}</Badge> : <Badge tone="red">{t("none")}</Badge>}</Td>
              </tr>
            ))}
          </Table>
        </Card>
      ) : (
        <Alert>{t("redisDown")}</Alert>
      )}
    </>
  );
}

export default function WorkersPage() {
  return (
    <AreaGuard area="admin">
      <WorkerList />
    </AreaGuard>
  );
}
