import { requestDueAt } from "@consentry/compliance";
import { type Database, eq, schema } from "@consentry/db";
import { DomainError } from "../errors";
import { MAX_CODE_ATTEMPTS, PORTAL_LIMITS, tooManyAttempts } from "./limits";
import { keyedHash, type PortalServices, sameHash, statusToken } from "./services";

const { dsrRequests, organizations } = schema;

/** Checks the one-time code; a verified request gets its reference, status link and due date. */
export async function verifyRequest(
  deps: { db: Database } & Pick<PortalServices, "limiter" | "clientIp" | "secret">,
  input: { requestId: string; code: string },
) {
  if (
    !(await deps.limiter.hit(
      `portal-verify-ip:${deps.clientIp}`,
      PORTAL_LIMITS.verifyPerIp,
      PORTAL_LIMITS.windowSeconds,
    ))
  ) {
    throw tooManyAttempts();
  }
  const wrong = new DomainError("invalid", "The code is wrong or has expired.");
  const outcome = await deps.db.transaction(async (tx) => {
    const [request] = await tx
      .select({
        id: dsrRequests.id,
        referenceCode: dsrRequests.referenceCode,
        codeHash: dsrRequests.verificationCodeHash,
        expiresAt: dsrRequests.verificationExpiresAt,
        attempts: dsrRequests.verificationAttempts,
        verifiedAt: dsrRequests.verifiedAt,
        profile: organizations.jurisdictionProfile,
      })
      .from(dsrRequests)
      .innerJoin(organizations, eq(organizations.id, dsrRequests.orgId))
      .where(eq(dsrRequests.id, input.requestId))
      .for("update", { of: dsrRequests });
    if (!request || request.verifiedAt || !request.codeHash || !request.expiresAt) throw wrong;
    if (request.attempts >= MAX_CODE_ATTEMPTS) {
      throw new DomainError("forbidden", "Too many wrong codes. Please file the request again.");
    }
    const given = keyedHash(deps.secret, "code", `${request.id}:${input.code}`);
    if (request.expiresAt < new Date() || !sameHash(given, request.codeHash)) {
      await tx
        .update(dsrRequests)
        .set({ verificationAttempts: request.attempts + 1 })
        .where(eq(dsrRequests.id, request.id));
      // Returned, not thrown: the attempt must be counted, so this transaction commits.
      return null;
    }
    const verifiedAt = new Date();
    const dueAt = requestDueAt(request.profile, verifiedAt);
    // Single use: the hash is gone once it has been used.
    await tx
      .update(dsrRequests)
      .set({ verifiedAt, dueAt, status: "open", verificationCodeHash: null, verificationExpiresAt: null })
      .where(eq(dsrRequests.id, request.id));
    return {
      reference: request.referenceCode,
      token: statusToken(deps.secret, request.referenceCode),
      dueAt,
    };
  });
  if (!outcome) throw wrong;
  return outcome;
}
