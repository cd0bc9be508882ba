"use client";

import type { RouterOutputs } from "@consentry/api";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { Badge, SkeletonRows, Table, Td } from "~/components/ui";

export type RegisterRow = RouterOutputs["videoAccess"]["list"]["items"][number];

const STATUS_TONE = {
  watching: "green",
  opening: "blue",
  ended: "neutral",
  endNotReported: "amber",
  notOpened: "neutral",
} as const;

/** "1:02:03" or "2:05": the time between the stream's start and the last frame sent. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The register's rows: viewer, camera (unless one camera's panel), reason and note, start, end, duration. */
export function RegisterTable({
  rows,
  loading,
  showCamera,
}: {
  rows: RegisterRow[];
  loading: boolean;
  showCamera: boolean;
}) {
  const t = useTranslations("videoAccess");
  const head = [t("viewer"), ...(showCamera ? [t("camera")] : []), t("reason"), t("start"), t("end"), t("duration")];
  return (
    <Table head={head}>
      {loading ? (
        <SkeletonRows columns={head.length} />
      ) : (
        rows.map((row) => <RegisterRowView key={row.id} row={row} showCamera={showCamera} />)
      )}
    </Table>
  );
}

function RegisterRowView({ row, showCamera }: { row: RegisterRow; showCamera: boolean }) {
  const t = useTranslations("videoAccess");
  const format = useFormatter();
  // next-intl formats in the app's time zone (Asia/Shanghai, src/i18n/locales.ts).
  const when = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "medium" });
  return (
    <tr data-testid="video-access-row" data-status={row.status} className="align-top">
      <Td>{row.viewerLabel}</Td>
      {showCamera && (
        <Td>
          {row.cameraId ? (
            <Link href={`/cameras/${row.cameraId}`} className="text-brand-700 hover:underline">
              {row.cameraName}
            </Link>
          ) : (
            row.cameraName
          )}
        </Td>
      )}
      <Td>
        <span data-testid="video-access-reason">{t(`reasons.${row.reason}`)}</span>
        {row.reasonNote && <p className="mt-0.5 max-w-xs text-xs break-words text-slate-500">{row.reasonNote}</p>}
      </Td>
      <Td className="whitespace-nowrap tabular-nums">
        {row.startedAt ? (
          when(row.startedAt)
        ) : (
          <span className="text-slate-500">{t("requestedAt", { at: when(row.requestedAt) })}</span>
        )}
      </Td>
      <Td className="whitespace-nowrap tabular-nums">
        {row.endedAt ? (
          <>
            <span data-testid="video-access-end">{when(row.endedAt)}</span>
            {row.endReason && (
              <p className="text-xs text-slate-500">{t(`endReasons.${row.endReason}` as "endReasons.viewer_closed")}</p>
            )}
          </>
        ) : (
          <span title={row.status === "endNotReported" ? t("endNotReportedHelp") : undefined}>
            <Badge tone={STATUS_TONE[row.status]}>{t(`status.${row.status}`)}</Badge>
          </span>
        )}
      </Td>
      <Td className="tabular-nums">{row.seconds === null ? "—" : formatDuration(row.seconds)}</Td>
    </tr>
  );
}
