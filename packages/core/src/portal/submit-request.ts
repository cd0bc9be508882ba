import { encryptString } from "@consentry/crypto";
import { and, type Database, eq, isNull, schema } from "@consentry/db";
import { verificationMail } from "@consentry/mail";
import { DomainError } from "../errors";
import { CODE_TTL_MINUTES, PORTAL_LIMITS, tooManyAttempts } from "./limits";
import { keyedHash, newReferenceCode, newVerificationCode, normaliseEmail, type PortalServices } from "./services";

const { dsrRequests, sites } = schema;

export type SubmitRequestInput = {
  siteId: string;
  type: "deletion" | "access" | "withdrawal" | "correction";
  email: string;
  phone?: string;
  reference?: string;
  details?: string;
};

/**
 * Files a request at a site and mails the one-time code that verifies it. Rate-limited per
 * address and per contact; nothing tells whether the site holds data on the person.
 */
export async function submitRequest(deps: { db: Database } & PortalServices, input: SubmitRequestInput) {
  const email = normaliseEmail(input.email);
  const contactHash = keyedHash(deps.secret, "contact", email);
  const [ipOk, contactOk] = await Promise.all([
    deps.limiter.hit(`portal-submit-ip:${deps.clientIp}`, PORTAL_LIMITS.submitPerIp, PORTAL_LIMITS.windowSeconds),
    deps.limiter.hit(
      `portal-submit-contact:${contactHash}`,
      PORTAL_LIMITS.submitPerContact,
      PORTAL_LIMITS.windowSeconds,
    ),
  ]);
  if (!ipOk || !contactOk) throw tooManyAttempts();
  const [site] = await deps.db
    .select({ id: sites.id, orgId: sites.orgId })
    .from(sites)
    .where(and(eq(sites.id, input.siteId), isNull(sites.archivedAt)));
  if (!site) throw new DomainError("notFound", "Choose a site from the list.");
  const code = newVerificationCode();
  const requestId = crypto.randomUUID();
  const contact = JSON.stringify({
    email,
    phone: input.phone || null,
    reference: input.reference || null,
    details: input.details || null,
  });
  await deps.db.insert(dsrRequests).values({
    id: requestId,
    orgId: site.orgId,
    siteId: site.id,
    type: input.type,
    referenceCode: newReferenceCode(),
    contactEnc: encryptString(contact, "dsr_requests.contact"),
    contactHash,
    verificationCodeHash: keyedHash(deps.secret, "code", `${requestId}:${code}`),
    verificationExpiresAt: new Date(Date.now() + CODE_TTL_MINUTES * 60_000),
  });
  await deps.mailer.send(verificationMail(email, code, CODE_TTL_MINUTES));
  return { requestId };
}
