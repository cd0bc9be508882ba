import { requestDueAt } from "@consentry/compliance";
import { decryptString } from "@consentry/crypto";
import { type Database, eq, schema } from "@consentry/db";
import { env } from "@consentry/env";
import type { JobProducer } from "@consentry/queue";
import { DomainError } from "../errors";
import { recordRequesterMail, requestReceivedMail } from "../notifications/mail";
import { instantRecipients } from "../notifications/notify";
import { requestReceivedNotifications } from "../notifications/request-events";
import { MAX_CODE_ATTEMPTS, PORTAL_LIMITS, tooManyAttempts } from "./limits";
import { keyedHash, type PortalServices, sameHash, statusToken } from "./services";

const { dsrRequests, organizations, sites } = schema;

/**
 * Checks the one-time code; a verified request gets its reference, status link and due date.
 * Once it has committed, best effort: the staff who answer requests are notified (their mail is
 * queued with `jobs`, else the ops worker's relay sends it) and the requester gets the status link
 * by mail (like the code, straight from the portal). Neither can fail the verification; the ops
 * worker's hourly sweep creates a lost staff notification again.
 */
export async function verifyRequest(
  deps: { db: Database } & Pick<PortalServices, "limiter" | "clientIp" | "secret"> &
    Partial<Pick<PortalServices, "mailer">> & {
      jobs?: Pick<JobProducer, "notify">;
      /** The web app's public address for the status link; BETTER_AUTH_URL by default. */
      baseUrl?: string;
    },
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
        type: dsrRequests.type,
        contactEnc: dsrRequests.contactEnc,
        site: sites.name,
      })
      .from(dsrRequests)
      .innerJoin(organizations, eq(organizations.id, dsrRequests.orgId))
      .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
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
      mail: { type: request.type, site: request.site, contactEnc: request.contactEnc },
    };
  });
  if (!outcome) throw wrong;
  const { mail, ...verified } = outcome;
  await announceReceived(deps, input.requestId, { ...mail, reference: verified.reference, dueAt: verified.dueAt });
  return verified;
}

/** Staff notification and the requester's mail for a request just verified; failures are swallowed. */
async function announceReceived(
  deps: Parameters<typeof verifyRequest>[0],
  requestId: string,
  request: { reference: string; type: string; site: string; dueAt: Date | null; contactEnc: string | null },
) {
  try {
    const created = await requestReceivedNotifications(deps.db, requestId);
    for (const recipient of instantRecipients(created)) {
      await deps.jobs?.notify?.({ type: "staffMail", ...recipient }).catch(() => {});
    }
  } catch {
    // The sweep creates it again within the hour (dedupe key: one per member).
  }
  if (!deps.mailer || !request.contactEnc) return;
  try {
    const contact = JSON.parse(decryptString(request.contactEnc, "dsr_requests.contact")) as { email?: string };
    if (!contact.email) return;
    await deps.mailer.send(
      requestReceivedMail(
        { baseUrl: deps.baseUrl ?? env.BETTER_AUTH_URL, portalSecret: deps.secret },
        { email: contact.email, ...request },
      ),
    );
    await recordRequesterMail(deps.db, requestId, "received");
  } catch {
    // The status link was just shown on the page; the mail is a copy of it.
  }
}
