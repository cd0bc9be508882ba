import { and, type Database, desc, schema } from "@consentry/db";
import { toCsv } from "../csv";
import {
  checkCameraFilter,
  videoAccessColumns,
  videoAccessConditions,
  videoAccessStatus,
  watchedSeconds,
} from "./list-video-access";
import type { VideoAccessFilter } from "./validators";

const { videoAccess } = schema;

/** An export stays a file a spreadsheet opens; narrower filters reach older rows. */
export const VIDEO_ACCESS_EXPORT_LIMIT = 10_000;

export const VIDEO_ACCESS_CSV_COLUMNS = [
  "requested_at",
  "started_at",
  "ended_at",
  "seconds_watched",
  "status",
  "end_reason",
  "viewer",
  "camera",
  "camera_id",
  "reason",
  "note",
] as const;

/** The filtered register, newest first, as CSV (formula-safe, via toCsv); `capped` when more matched. */
export async function exportVideoAccess(
  db: Database,
  filter: VideoAccessFilter & { orgId: string },
  limit = VIDEO_ACCESS_EXPORT_LIMIT,
  now = Date.now(),
) {
  await checkCameraFilter(db, filter);
  const rows = await db
    .select(videoAccessColumns)
    .from(videoAccess)
    .where(and(...videoAccessConditions(filter)))
    .orderBy(desc(videoAccess.requestedAt), desc(videoAccess.id))
    .limit(limit + 1);
  const shown = rows.slice(0, limit);
  const csv = toCsv(
    VIDEO_ACCESS_CSV_COLUMNS,
    shown.map((row) => [
      row.requestedAt,
      row.startedAt,
      row.endedAt,
      watchedSeconds(row),
      videoAccessStatus(row, now),
      row.endReason,
      row.viewerLabel,
      row.cameraName,
      row.cameraId,
      row.reason,
      row.reasonNote,
    ]),
  );
  return {
    filename: `video-access-${new Date(now).toISOString().slice(0, 10)}.csv`,
    csv,
    rows: shown.length,
    capped: rows.length > limit,
    limit,
  };
}
