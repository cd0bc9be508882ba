import { randomUUID } from "node:crypto";
import { signToken } from "@consentry/crypto";
import { type AuditActor, type Database, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { DomainError } from "../errors";
import { findCamera } from "./find-camera";

export const LIVE_VIEW_TOKEN_SECONDS = 60;

/**
 * A one-minute, single-use ticket for the live-view gateway. Watching a camera shows people's
 * faces, so every ticket is audited; a disabled camera gets none. `jti` is the ticket's id: the
 * gateway spends it on first use, so a ticket copied from a URL or log cannot be replayed.
 */
export async function liveViewToken(
  deps: { db: Database; actor: AuditActor; orgId: string; userId: string },
  input: { cameraId: string },
) {
  return deps.db.transaction(async (tx) => {
    const camera = await findCamera(tx, deps.orgId, input.cameraId);
    if (camera.disabledAt) throw new DomainError("precondition", "This camera is disabled.");
    const token = signToken(
      { cameraId: camera.id, orgId: deps.orgId, userId: deps.userId, jti: randomUUID() },
      env.CONSENTRY_LIVE_VIEW_SECRET,
      LIVE_VIEW_TOKEN_SECONDS,
    );
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "camera.live_view",
      targetType: "camera",
      targetId: camera.id,
    });
    return { url: `${env.CONSENTRY_GATEWAY_URL}/live/${camera.id}?token=${token}` };
  });
}
