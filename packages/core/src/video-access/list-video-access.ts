import { and, type Database, desc, eq, escapeLike, gte, ilike, lte, type SQL, schema, sql } from "@consentry/db";
import { findCamera } from "../cameras/find-camera";
import { notFound } from "../errors";
import type { ListVideoAccessInput, VideoAccessFilter } from "./validators";

const { videoAccess } = schema;

/** A ticket unused after this never opened a stream (tickets live 60 s; a little slack for clocks). */
const TICKET_GRACE_MS = 90_000;
/**
 * A stream open longer than this without an end is shown as "end not reported": the gateway that
 * served it most likely stopped without closing it (a crash, a power cut). Several gateways may
 * share the database, so none can tell another's open rows from its crashed ones; the register
 * says what it knows instead of guessing an end.
 */
export const OPEN_SESSION_TRUST_MS = 4 * 60 * 60 * 1000;

export type VideoAccessStatus = "opening" | "notOpened" | "watching" | "endNotReported" | "ended";

export function videoAccessStatus(
  row: { requestedAt: Date; startedAt: Date | null; endedAt: Date | null },
  now = Date.now(),
): VideoAccessStatus {
  if (row.endedAt) return "ended";
  if (!row.startedAt) return now - row.requestedAt.getTime() > TICKET_GRACE_MS ? "notOpened" : "opening";
  return now - row.startedAt.getTime() > OPEN_SESSION_TRUST_MS ? "endNotReported" : "watching";
}

export const videoAccessColumns = {
  id: videoAccess.id,
  siteId: videoAccess.siteId,
  cameraId: videoAccess.cameraId,
  cameraName: videoAccess.cameraName,
  viewerLabel: videoAccess.viewerLabel,
  reason: videoAccess.reason,
  reasonNote: videoAccess.reasonNote,
  requestedAt: videoAccess.requestedAt,
  startedAt: videoAccess.startedAt,
  endedAt: videoAccess.endedAt,
  endReason: videoAccess.endReason,
};

type Row = { requestedAt: Date; startedAt: Date | null; endedAt: Date | null };

/** Seconds watched (start to last frame sent), when both ends are known. */
export const watchedSeconds = (row: Row) =>
  row.startedAt && row.endedAt
    ? Math.max(0, Math.round((row.endedAt.getTime() - row.startedAt.getTime()) / 1000))
    : null;

/** Conditions for one organisation's rows; every query starts with org_id (the (org_id, requested_at) index). */
export function videoAccessConditions(filter: VideoAccessFilter & { orgId: string }): SQL[] {
  const conditions: SQL[] = [eq(videoAccess.orgId, filter.orgId)];
  if (filter.cameraId) conditions.push(eq(videoAccess.cameraId, filter.cameraId));
  if (filter.camera) conditions.push(ilike(videoAccess.cameraName, `%${escapeLike(filter.camera)}%`));
  if (filter.viewer) conditions.push(ilike(videoAccess.viewerLabel, `%${escapeLike(filter.viewer)}%`));
  if (filter.reason) conditions.push(eq(videoAccess.reason, filter.reason));
  if (filter.from) conditions.push(gte(videoAccess.requestedAt, filter.from));
  if (filter.to) conditions.push(lte(videoAccess.requestedAt, filter.to));
  return conditions;
}

/** Another organisation's camera answers like a missing one, instead of an empty register. */
export async function checkCameraFilter(db: Database, filter: VideoAccessFilter & { orgId: string }) {
  if (filter.cameraId) await findCamera(db, filter.orgId, filter.cameraId);
}

/**
 * One page of the organisation's register, newest request first; `nextCursor` fetches older rows.
 * Keyset on (requested_at, id): new rows never shift a page, and the cursor row's own timestamp is
 * compared in PostgreSQL, at its full (microsecond) precision.
 */
export async function listVideoAccess(db: Database, input: ListVideoAccessInput & { orgId: string }, now = Date.now()) {
  await checkCameraFilter(db, input);
  const limit = input.limit ?? 50;
  const conditions = videoAccessConditions(input);
  if (input.cursor) {
    // Another organisation's row is no cursor here: it answers like a missing one.
    const [cursorRow] = await db
      .select({ id: videoAccess.id })
      .from(videoAccess)
      .where(and(eq(videoAccess.id, input.cursor), eq(videoAccess.orgId, input.orgId)));
    if (!cursorRow) notFound("Register entry");
    conditions.push(
      sql`(${videoAccess.requestedAt}, ${videoAccess.id}) < (select c.requested_at, c.id from ${videoAccess} c where c.id = ${input.cursor} and c.org_id = ${input.orgId})`,
    );
  }
  const rows = await db
    .select(videoAccessColumns)
    .from(videoAccess)
    .where(and(...conditions))
    .orderBy(desc(videoAccess.requestedAt), desc(videoAccess.id))
    .limit(limit + 1);
  const items = rows
    .slice(0, limit)
    .map((row) => ({ ...row, status: videoAccessStatus(row, now), seconds: watchedSeconds(row) }));
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
