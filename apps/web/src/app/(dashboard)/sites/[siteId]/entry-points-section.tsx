"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { Badge, EmptyState, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

/** Entry points with their purpose and the alternatives to face recognition (CN-FR-02, CN-FR-09). */
export function EntryPointsSection({ siteId }: { siteId: string }) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const entries = useQuery(trpc.entryPoints.list.queryOptions({ orgId, siteId }));
  return (
    <Section title={t("entryPoints")}>
      {entries.data?.length === 0 ? (
        <EmptyState title={t("noEntryPoints")} />
      ) : (
        <Table head={[t("entryName"), t("purpose"), t("faceRecognition"), t("alternatives")]}>
          {entries.data?.map((entry) => (
            <tr key={entry.id}>
              <Td className="font-medium">{entry.name}</Td>
              <Td>{entry.purpose ? t(`purposes.${entry.purpose}`) : <Badge tone="amber">{t("noPurpose")}</Badge>}</Td>
              <Td>{entry.faceRecognition ? <Badge tone="blue">✓</Badge> : t("none")}</Td>
              <Td>
                {entry.alternatives.length > 0 ? (
                  entry.alternatives.map((method) => t(`alternativeMethods.${method}`)).join(" · ")
                ) : entry.faceRecognition ? (
                  <Badge tone="red">{t("noAlternatives")}</Badge>
                ) : (
                  t("none")
                )}
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  );
}
