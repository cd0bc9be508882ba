"use client";

import type { RouterOutputs } from "@consentry/api";
import { useTranslations } from "next-intl";
import { Card, Table, Td } from "~/components/ui";

type Counts = RouterOutputs["regulator"]["site"]["videoAccess"];

/** How often the site's live video was watched, per reason: counts only, never who or which camera. */
export function VideoAccessCounts({ counts }: { counts: Counts }) {
  const t = useTranslations("videoAccess");
  return (
    <section data-testid="regulator-video-access">
      <Card className="mb-6">
        <div className="px-4 pt-4 text-sm">
          <h2 className="mb-1 font-semibold">{t("regulator.title")}</h2>
          <p className="text-slate-500">{t("regulator.intro")}</p>
        </div>
        {!counts ? (
          <p className="p-4 text-sm">{t("regulator.movedOut")}</p>
        ) : (
          <Table head={[t("reason"), t("regulator.last30"), t("regulator.last90")]}>
            {counts.reasons.map((row) => (
              <tr key={row.reason} data-testid="regulator-video-access-row">
                <Td>{t(`reasons.${row.reason}`)}</Td>
                <Td className="tabular-nums">{row.last30}</Td>
                <Td className="tabular-nums">{row.last90}</Td>
              </tr>
            ))}
            <tr className="font-medium">
              <Td>{t("regulator.total")}</Td>
              <Td className="tabular-nums">{counts.total30}</Td>
              <Td className="tabular-nums">{counts.total90}</Td>
            </tr>
          </Table>
        )}
      </Card>
    </section>
  );
}
