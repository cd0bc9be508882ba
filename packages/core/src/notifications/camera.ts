import { and, desc, type Executor, eq, lt, schema } from "@consentry/db";
import { type CreatedNotification, createNotifications, wasNotified } from "./notify";

const { cameras, cameraStatusEvents, sites } = schema;

/** Statuses in which a camera delivers no stream (as the site page, the cameras list and Home count them). */
export const DOWN_STATUSES: readonly string[] = ["offline", "unreachable", "auth_failed"];
const isDown = (status: string) => DOWN_STATUSES.includes(status);

/** How long a camera must be down before its members hear of it (NOTIFY_CAMERA_OFFLINE_MINUTES). */
export const DEFAULT_CAMERA_OFFLINE_MINUTES = 5;

/** Status-change events looked back over to find where an outage began. */
const OUTAGE_LOOKBACK_EVENTS = 100;

/**
 * When the camera's current outage began: the oldest of the status changes since it was last up
 * (they are written only on a change, so a flap between down statuses stays one outage). With
 * `before`, the outage that ended then. Null when the camera is not down by its history.
 */
export async function outageStart(db: Executor, cameraId: string, before?: Date): Promise<Date | null> {
  const events = await db
    .select({ at: cameraStatusEvents.at, status: cameraStatusEvents.status })
    .from(cameraStatusEvents)
    .where(and(eq(cameraStatusEvents.cameraId, cameraId), before ? lt(cameraStatusEvents.at, before) : undefined))
    .orderBy(desc(cameraStatusEvents.at), desc(cameraStatusEvents.id))
    .limit(OUTAGE_LOOKBACK_EVENTS);
  let start: Date | null = null;
  for (const event of events) {
    if (!isDown(event.status)) break;
    start = event.at;
  }
  return start;
}

const outageKey = (kind: "camera_offline" | "camera_online", cameraId: string, start: Date) =>
  `${kind}:${cameraId}:${start.getTime()}`;

/**
 * What a probe's result means for the camera's members: down for `offlineMinutes` or more is one
 * "offline" notification per outage (the key names the outage's start, so later probes add
 * nothing); up again after an outage that was notified is one "back online". Returns the new
 * notifications (their mail is for the caller to queue).
 */
export async function cameraStatusNotifications(
  db: Executor,
  change: { cameraId: string; previous: string; current: string; now: Date; offlineMinutes: number },
): Promise<CreatedNotification[]> {
  const { cameraId, now } = change;
  const wentUp = !isDown(change.current) && isDown(change.previous);
  if (!isDown(change.current) && !wentUp) return [];
  const [camera] = await db
    .select({
      orgId: cameras.orgId,
      siteId: cameras.siteId,
      name: cameras.name,
      disabledAt: cameras.disabledAt,
      site: sites.name,
    })
    .from(cameras)
    .innerJoin(sites, eq(sites.id, cameras.siteId))
    .where(eq(cameras.id, cameraId));
  if (!camera || camera.disabledAt) return [];
  const event = (kind: "camera_offline" | "camera_online", start: Date, params: Record<string, string | number>) =>
    createNotifications(db, {
      orgId: camera.orgId,
      kind,
      siteId: camera.siteId,
      targetType: "camera",
      targetId: cameraId,
      params: { camera: camera.name, site: camera.site, since: start.toISOString(), ...params },
      dedupeKey: outageKey(kind, cameraId, start),
    });

  if (isDown(change.current)) {
    const start = await outageStart(db, cameraId);
    if (!start || now.getTime() - start.getTime() < change.offlineMinutes * 60_000) return [];
    return event("camera_offline", start, { minutes: change.offlineMinutes, status: change.current });
  }
  // Back up: the outage that just ended, if its members were told of it.
  const start = await outageStart(db, cameraId, now);
  if (!start || !(await wasNotified(db, camera.orgId, outageKey("camera_offline", cameraId, start)))) return [];
  return event("camera_online", start, {
    until: now.toISOString(),
    minutes: Math.max(1, Math.round((now.getTime() - start.getTime()) / 60_000)),
  });
}
