import { loadPrincipal, type OrgRole, roleAtLeast } from "@consentry/auth";
import { decryptString, InvalidTokenError, RTSP_URL_CONTEXT, verifyToken } from "@consentry/crypto";
import { type Database, eq, schema } from "@consentry/db";
import { checkCameraUrl } from "@consentry/network";

/** The least role that may watch live (the dashboard's `cameras.liveViewToken` asks the same). */
export const LIVE_VIEW_ROLE: OrgRole = "operator";

/** What the dashboard signs after checking the user's role and tenant (see packages/core). */
export type LiveViewTicket = { cameraId: string; orgId: string; userId: string; jti: string; exp: number };

/** Who watches which camera, kept per viewer so the gateway can re-check it later. */
export type Grant = { cameraId: string; orgId: string; userId: string };

/**
 * Why the gateway ends an open stream: WebSocket close codes (application range) and reasons
 * the player shows. apps/web/src/app/(dashboard)/cameras/[cameraId]/live-view.tsx knows these codes.
 */
export const REVOKED = {
  accessRevoked: { code: 4401, reason: "access revoked" },
  addressRefused: { code: 4403, reason: "camera address not allowed" },
  cameraDeleted: { code: 4404, reason: "camera deleted" },
  cameraDisabled: { code: 4410, reason: "camera disabled" },
} as const;
export type Revocation = (typeof REVOKED)[keyof typeof REVOKED];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Refusal = { ok: false; status: 401 | 403 | 404; reason: string };

/**
 * A genuine, unexpired ticket (401) for this camera (403), with its id. Checks the signature
 * only: spending the ticket (single use) is the caller's next step.
 */
export function verifyTicket(
  secret: string,
  cameraId: string,
  token: string | null,
): { ok: true; ticket: LiveViewTicket } | Refusal {
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
  const { cameraId: ticketCameraId, orgId, userId, jti, exp } = payload;
  if (
    typeof ticketCameraId !== "string" ||
    typeof orgId !== "string" ||
    typeof userId !== "string" ||
    typeof jti !== "string" ||
    !UUID.test(jti) ||
    typeof exp !== "number"
  ) {
    return { ok: false, status: 401, reason: "token lacks cameraId, orgId, userId or id" };
  }
  if (ticketCameraId !== cameraId) return { ok: false, status: 403, reason: "token is for another camera" };
  return { ok: true, ticket: { cameraId, orgId, userId, jti, exp } };
}

/**
 * Whether a grant still holds: the camera exists in the grant's organisation and is enabled,
 * the user is still a member there with at least LIVE_VIEW_ROLE, and the camera's address is
 * still allowed for the organisation. On success, the URL to connect to (host replaced by the
 * checked address, so DNS cannot be re-pointed between check and connect). Database errors propagate.
 */
export async function checkGrant(
  db: Database,
  grant: Grant,
): Promise<{ ok: true; url: string } | { ok: false; status: 403 | 404; reason: string; revoked: Revocation }> {
  // Not a uuid cannot be a camera or organisation; checking first keeps PostgreSQL from raising a cast error.
  if (!UUID.test(grant.cameraId) || !UUID.test(grant.orgId)) {
    return { ok: false, status: 404, reason: "no such camera", revoked: REVOKED.cameraDeleted };
  }
  const { cameras } = schema;
  const [camera] = await db
    .select({ orgId: cameras.orgId, rtspUrlEnc: cameras.rtspUrlEnc, disabledAt: cameras.disabledAt })
    .from(cameras)
    .where(eq(cameras.id, grant.cameraId))
    .limit(1);
  // Another organisation's camera answers like a missing one.
  if (!camera || camera.orgId !== grant.orgId) {
    return { ok: false, status: 404, reason: "no such camera", revoked: REVOKED.cameraDeleted };
  }
  if (camera.disabledAt) return { ok: false, status: 404, reason: "camera disabled", revoked: REVOKED.cameraDisabled };
  if (!(await mayWatch(db, grant.orgId, grant.userId))) {
    return { ok: false, status: 403, reason: "not allowed to watch this camera", revoked: REVOKED.accessRevoked };
  }
  const address = await checkCameraUrl(db, grant.orgId, decryptString(camera.rtspUrlEnc, RTSP_URL_CONTEXT));
  if (!address.ok) return { ok: false, status: 403, reason: address.detail, revoked: REVOKED.addressRefused };
  return { ok: true, url: address.url };
}

/** The user exists and holds at least LIVE_VIEW_ROLE in the organisation. */
export async function mayWatch(db: Database, orgId: string, userId: string): Promise<boolean> {
  const principal = await loadPrincipal(db, userId);
  const membership = principal?.memberships.find((m) => m.orgId === orgId);
  return membership !== undefined && roleAtLeast(membership.role, LIVE_VIEW_ROLE);
}
