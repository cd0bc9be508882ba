import type { Database } from "@consentry/db";
import type { LiveViewInvalidation } from "@consentry/queue";
import type { Logger } from "pino";
import { WebSocket } from "ws";
import { checkGrant, type Grant, REVOKED } from "./access";
import { closeViewer } from "./register";
import type { CameraRelay } from "./relay";

const cameraKey = (cameraId: string) => `camera:${cameraId}`;
const memberKey = (orgId: string, userId: string) => `member:${orgId}:${userId}`;

/**
 * Who watches what, and the re-checks that end a stream the viewer may no longer see: on an
 * invalidation naming the camera or the membership, and on every periodic sweep.
 */
export class ViewerGrants {
  private readonly grants = new Map<WebSocket, Grant>();
  // Sequence number of the last invalidation per camera and per membership.
  private changeCount = 0;
  private readonly lastChange = new Map<string, number>();
  private sweeping = false;

  constructor(
    private readonly db: Database,
    private readonly relays: ReadonlyMap<string, CameraRelay>,
    private readonly log: Logger,
  ) {}

  /** Take this before checking a new viewer's grant, and hand it to add(). */
  checkpoint(): number {
    return this.changeCount;
  }

  /** Tracks a viewer until its socket closes; re-checks at once if a change arrived since `checkpoint`. */
  add(ws: WebSocket, grant: Grant, checkpoint: number) {
    this.grants.set(ws, grant);
    ws.on("close", () => this.grants.delete(ws));
    const changedAt = Math.max(
      this.lastChange.get(cameraKey(grant.cameraId)) ?? 0,
      this.lastChange.get(memberKey(grant.orgId, grant.userId)) ?? 0,
    );
    // The change may predate the reads that let this viewer in.
    if (changedAt > checkpoint) void this.recheck([ws], "changed while connecting");
  }

  /** A camera or a membership changed: re-check the viewers it concerns. */
  invalidated(change: LiveViewInvalidation) {
    if (change.type === "camera") {
      this.lastChange.set(cameraKey(change.cameraId), ++this.changeCount);
      const relay = this.relays.get(change.cameraId);
      if (relay) void this.recheck(relay.viewers, "camera changed");
    } else if (change.type === "member") {
      this.lastChange.set(memberKey(change.orgId, change.userId), ++this.changeCount);
      const concerned = [...this.grants]
        .filter(([, grant]) => grant.orgId === change.orgId && grant.userId === change.userId)
        .map(([ws]) => ws);
      void this.recheck(concerned, "membership changed");
    }
  }

  /** Re-checks every viewer; a sweep still running absorbs the next. */
  async sweep(why: string) {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await this.recheck(this.grants.keys(), why);
    } finally {
      this.sweeping = false;
    }
  }

  /** Checks these viewers' grants again, once per distinct grant, and closes those that no longer hold. */
  private async recheck(viewers: Iterable<WebSocket>, why: string) {
    const byGrant = new Map<string, { grant: Grant; sockets: WebSocket[] }>();
    for (const ws of [...viewers]) {
      const grant = this.grants.get(ws);
      if (!grant || ws.readyState !== WebSocket.OPEN) continue;
      const key = `${grant.cameraId}|${grant.orgId}|${grant.userId}`;
      const entry = byGrant.get(key) ?? { grant, sockets: [] };
      entry.sockets.push(ws);
      byGrant.set(key, entry);
    }
    await Promise.all([...byGrant.values()].map(({ grant, sockets }) => this.enforce(grant, sockets, why)));
  }

  private async enforce(grant: Grant, sockets: WebSocket[], why: string) {
    const { cameraId, orgId, userId } = grant;
    let decision: Awaited<ReturnType<typeof checkGrant>>;
    try {
      decision = await checkGrant(this.db, grant);
    } catch (err) {
      // A database blip must not cut every stream; the next sweep checks again.
      this.log.warn({ err, cameraId, why }, "could not re-check live viewers; keeping them for now");
      return;
    }
    const relay = this.relays.get(cameraId);
    if (decision.ok) {
      // The camera's address may have been edited or re-resolved: the next ffmpeg start uses the checked one.
      relay?.updateUrl(decision.url);
      return;
    }
    const { code, reason } = decision.revoked;
    this.log.info({ cameraId, orgId, userId, reason: decision.reason, why }, "live view revoked");
    // When the camera itself may no longer be watched, stop its ffmpeg now rather than after idleStopMs.
    if (code !== REVOKED.accessRevoked.code) await relay?.close(code, reason);
    for (const ws of sockets) closeViewer(ws, code, reason);
  }
}
