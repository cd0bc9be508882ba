import { randomUUID } from "node:crypto";
import { signToken } from "@consentry/crypto";
import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { DomainError, fieldError } from "../errors";
import { type LiveViewRequest, liveViewRequest } from "../video-access/validators";
import { findCamera } from "./find-camera";

export const LIVE_VIEW_TOKEN_SECONDS = 60;

/**
 * A one-minute, single-use ticket for the live-view gateway. Watching a camera shows people's
 * faces, so every ticket needs a reason, is audited and opens a row of the video-access register
 * (same transaction: no ticket without its row); a disabled camera gets none. `jti` is the
 * ticket's id: the gateway spends it on first use, so a ticket copied from a URL or log cannot be
 * replayed, and finds the register row by it to record when the stream started and ended.
 */
export async function liveViewToken(
  deps: { db: Database; actor: AuditActor; orgId: string; userId: string },
  input: LiveViewRequest,
) {
  // The router validates too; a direct call (worker, test) gets the same rules.
  const parsed = liveViewRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "reason");
    throw fieldError("invalid", field, issue?.message ?? "invalid", `Invalid ${field}.`);
  }
  const { cameraId, reason, note } = parsed.data;
  return deps.db.transaction(async (tx) => {
    const camera = await findCamera(tx, deps.orgId, cameraId);
    if (camera.disabledAt) throw new DomainError("precondition", "This camera is disabled.");
    const jti = randomUUID();
    const [row] = await tx
      .insert(schema.videoAccess)
      .values({
        orgId: deps.orgId,
        siteId: camera.siteId,
        cameraId: camera.id,
        cameraName: camera.name,
        viewerUserId: deps.userId,
        viewerLabel: deps.actor.label,
        reason,
        reasonNote: note ?? null,
        ticketId: jti,
      })
      .returning({ id: schema.videoAccess.id });
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "camera.live_view",
      targetType: "camera",
      targetId: camera.id,
      // The note stays in the register (which an auditor reads); the chain keeps the reason.
      details: { reason, videoAccessId: row?.id },
    });
    const token = signToken(
      { cameraId: camera.id, orgId: deps.orgId, userId: deps.userId, jti },
      env.CONSENTRY_LIVE_VIEW_SECRET,
      LIVE_VIEW_TOKEN_SECONDS,
    );
    return { url: `${env.CONSENTRY_GATEWAY_URL}/live/${camera.id}?token=${token}` };
  });
}
