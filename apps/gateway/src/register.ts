import { and, type Database, eq, isNull, schema } from "@consentry/db";
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { REVOKED } from "./access";

/** Why a viewer's stream ended, as the video-access register records it (`video_access.end_reason`). */
export const END_REASONS = {
  viewerClosed: "viewer_closed",
  connectionLost: "connection_lost",
  accessRevoked: "access_revoked",
  addressRefused: "address_refused",
  cameraDeleted: "camera_deleted",
  cameraDisabled: "camera_disabled",
  relayClosing: "relay_closing",
  gatewayStopped: "gateway_stopped",
} as const;
export type EndReason = (typeof END_REASONS)[keyof typeof END_REASONS];

/** The close codes the gateway sends, and what they mean for the register. */
const END_REASON_BY_CODE: Record<number, EndReason> = {
  [REVOKED.accessRevoked.code]: END_REASONS.accessRevoked,
  [REVOKED.addressRefused.code]: END_REASONS.addressRefused,
  [REVOKED.cameraDeleted.code]: END_REASONS.cameraDeleted,
  [REVOKED.cameraDisabled.code]: END_REASONS.cameraDisabled,
  1001: END_REASONS.gatewayStopped,
  1013: END_REASONS.relayClosing,
};

// What the gateway itself ended a socket with; a socket without one was closed by the viewer.
const endedByGateway = new WeakMap<WebSocket, EndReason>();

/** Closes a viewer's socket, remembering why for the register (the first reason wins). */
export function closeViewer(ws: WebSocket, code: number, reason: string) {
  if (!endedByGateway.has(ws)) endedByGateway.set(ws, END_REASON_BY_CODE[code] ?? END_REASONS.relayClosing);
  ws.close(code, reason);
}

/** Cuts a viewer that stopped answering pings. */
export function terminateViewer(ws: WebSocket) {
  if (!endedByGateway.has(ws)) endedByGateway.set(ws, END_REASONS.connectionLost);
  ws.terminate();
}

type Session = {
  ticketId: string;
  cameraId: string;
  openedAt: Date;
  lastSentAt: () => Date | undefined;
  started: Promise<void>;
  ended?: Promise<void>;
};

/**
 * Reports each stream to the video-access register: `started_at` when the stream opens, and
 * `ended_at` (when the last frame was sent to that viewer; the opening time if none was) with
 * `end_reason` when it ends. The row was written with the ticket (packages/core, live-view-token);
 * it is found by the ticket's id within the ticket's organisation and camera. Database errors are
 * logged (camera id and error only, never names) and never touch the stream.
 */
export class VideoAccessReporter {
  private readonly sessions = new Map<WebSocket, Session>();

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  opened(ws: WebSocket, ticket: { jti: string; orgId: string; cameraId: string }, lastSentAt: () => Date | undefined) {
    const openedAt = new Date();
    const { videoAccess } = schema;
    const started = this.db
      .update(videoAccess)
      .set({ startedAt: openedAt })
      .where(
        and(
          eq(videoAccess.ticketId, ticket.jti),
          eq(videoAccess.orgId, ticket.orgId),
          eq(videoAccess.cameraId, ticket.cameraId),
          isNull(videoAccess.startedAt),
        ),
      )
      .returning({ id: videoAccess.id })
      .then(
        (rows) => {
          if (rows.length === 0) {
            this.log.warn({ cameraId: ticket.cameraId }, "no video-access register row for this ticket");
          }
        },
        (err: Error) =>
          this.log.error({ err: err.message, cameraId: ticket.cameraId }, "could not record live view start"),
      );
    const session: Session = { ticketId: ticket.jti, cameraId: ticket.cameraId, openedAt, lastSentAt, started };
    this.sessions.set(ws, session);
    ws.once("close", (code: number) => {
      const reason = endedByGateway.get(ws) ?? (code === 1006 ? END_REASONS.connectionLost : END_REASONS.viewerClosed);
      void this.end(ws, reason);
    });
  }

  /** Records every open stream as ended (gateway shutdown, after the relays stopped sending). */
  async endAll(reason: EndReason) {
    await Promise.all([...this.sessions.keys()].map((ws) => this.end(ws, endedByGateway.get(ws) ?? reason)));
  }

  private end(ws: WebSocket, reason: EndReason): Promise<void> {
    const session = this.sessions.get(ws);
    if (!session) return Promise.resolve();
    session.ended ??= (async () => {
      const endedAt = session.lastSentAt() ?? session.openedAt;
      // The start must be written first: the end's row condition would race it otherwise.
      await session.started;
      const { videoAccess } = schema;
      try {
        await this.db
          .update(videoAccess)
          .set({ endedAt, endReason: reason })
          .where(and(eq(videoAccess.ticketId, session.ticketId), isNull(videoAccess.endedAt)));
      } catch (err) {
        this.log.error({ err: (err as Error).message, cameraId: session.cameraId }, "could not record live view end");
      } finally {
        this.sessions.delete(ws);
      }
    })();
    return session.ended;
  }
}
