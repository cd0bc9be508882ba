"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useFindingText } from "~/components/finding-text";
import { Alert, Badge, Card, EmptyState, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const DIRECTION_TONE = { in: "blue", out: "amber", within: "neutral" } as const;

/**
 * Sites that moved into, out of or within the jurisdiction. A site that moved out stays here and
 * its page stays open: the regulated party cannot leave a regulator's sight by changing its region.
 */
export function RegionMoves() {
  const t = useTranslations("regulatorMoves");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const findingText = useFindingText();
  const moves = useQuery(trpc.regulator.regionMoves.queryOptions());

  return (
    <Card className="mb-6">
      <h2 className="px-4 pt-4 text-sm font-semibold">{t("title")}</h2>
      {moves.isError ? (
        <div className="p-4">
          <Alert>{tc("loadFailed", { message: moves.error.message })}</Alert>
        </div>
      ) : moves.data?.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <Table
          head={[
            t("columns.when"),
            t("columns.site"),
            t("columns.organization"),
            t("columns.move"),
            t("columns.direction"),
            t("columns.reason"),
            t("columns.finding"),
          ]}
        >
          {(moves.data ?? []).map((move) => (
            <tr key={move.id} data-testid="regulator-move-row">
              <Td>{format.dateTime(move.changedAt, { dateStyle: "medium", timeStyle: "short" })}</Td>
              <Td>
                <Link href={`/regulator/sites/${move.siteId}`} className="font-medium text-brand-700 hover:underline">
                  {move.siteName}
                </Link>
              </Td>
              <Td>{move.orgName}</Td>
              <Td className="font-mono text-xs">
                {move.fromRegion} → {move.toRegion}
              </Td>
              <Td>
                <Badge tone={DIRECTION_TONE[move.direction]}>{t(`direction.${move.direction}`)}</Badge>
              </Td>
              <Td>{move.reason}</Td>
              <Td>
                <span className="font-mono text-xs">{move.finding.ruleId}</span>{" "}
                {findingText({ ...move.finding, params: move.finding.params ?? undefined }).message}
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}
