import { decryptString, InvalidTokenError, RTSP_URL_CONTEXT, verifyToken } from "@consentry/crypto";
import { and, type Database, eq, isNull, schema } from "@consentry/db";

/** What the dashboard signs after checking the user's role and tenant (see packages/api). */
export type LiveViewTokenPayload = { cameraId: string; orgId: string; userId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AccessDecision =
  | { ok: true; cameraId: string; orgId: string; userId: string; rtspUrl: string }
  | { ok: false; status: 401 | 403 | 404; reason: string };

/**
 * Decides whether a live-view request may stream: a genuine, unexpired token (401), issued for
 * this camera (403), naming an organisation that owns the camera, which is not disabled (404).
 * Database errors propagate; the caller answers 503.
 */
export async function authorizeLiveView(
  db: Database,
  secret: string,
  cameraId: string,
  token: string | null,
): Promise<AccessDecision> {
  if (!token) return { ok: false, status: 401, reason: "missing token" };
  let payload: Record<string, unknown>;
  try {
    payload = verifyToken<Record<string, unknown>>(token, secret);
  } catch (error) {
    // verifyToken throws InvalidTokenError for bad signatures and expiry; a correctly signed but
    // malformed body (not JSON, not an object) surfaces as another error. Both are "bad token".
    const reason = error instanceof InvalidTokenError ? error.message : "malformed token";
    return { ok: false, status: 401, reason };
  }
  const { cameraId: tokenCameraId, orgId, userId } = payload;
  if (typeof tokenCameraId !== "string" || typeof orgId !== "string" || typeof userId !== "string") {
    return { ok: false, status: 401, reason: "token lacks cameraId, orgId or userId" };
  }
  if (tokenCameraId !== cameraId) return { ok: false, status: 403, reason: "token is for another camera" };
  // Not a uuid cannot be a camera; checking first keeps PostgreSQL from raising a cast error.
  if (!UUID.test(cameraId) || !UUID.test(orgId)) return { ok: false, status: 404, reason: "no such camera" };

  const { cameras } = schema;
  const [camera] = await db
    .select({ rtspUrlEnc: cameras.rtspUrlEnc })
    .from(cameras)
    .where(and(eq(cameras.id, cameraId), eq(cameras.orgId, orgId), isNull(cameras.disabledAt)))
    .limit(1);
  if (!camera) return { ok: false, status: 404, reason: "no such camera" };
  return { ok: true, cameraId, orgId, userId, rtspUrl: decryptString(camera.rtspUrlEnc, RTSP_URL_CONTEXT) };
}
