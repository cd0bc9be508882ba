import { createHash } from "node:crypto";
import {
  type AuditKeyring,
  and,
  asc,
  auditKeyringFromEnv,
  type Executor,
  eq,
  inArray,
  keyedAuditHash,
  legacyAuditHash,
  schema,
  sql,
  verifyAuditChain,
} from "@consentry/db";
import { certificateBytes, certificateSha256 } from "./certificate";

const { auditLog, consents, dsrRequests } = schema;

/** The audit entries that record a certificate's hash when it is issued. */
const ISSUING_ACTIONS = {
  "dsr.erasure.complete": "deletion",
  "consent.withdrawal.complete": "withdrawal",
} as const;

/** One finding of a verification; `ok: null` is information, neither pass nor fail. */
export type CertificateCheck = { ok: boolean | null; text: string };

export type CertificateVerdict = {
  /** Every check passed: the certificate is the one Consentry issued, and the chain vouches for it. */
  ok: boolean;
  reference: string | null;
  kind: "deletion" | "withdrawal" | null;
  /** The certificate's SHA-256 (over its canonical JSON bytes), as looked up in the audit chain. */
  sha256: string | null;
  checks: CertificateCheck[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256Hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const shanghai = (date: Date) => `${date.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" })} Asia/Shanghai`;

type Options = { keyring?: AuditKeyring };
type Certified = { requestReference?: unknown; organisation?: { id?: unknown }; kind?: unknown };

/**
 * A downloaded certificate file, checked against the audit chain: that its bytes are the
 * certificate's canonical JSON (so the stated hash is `sha256sum` of the file), that an intact
 * issuing entry of the chain records that hash, that the request still stores the same
 * certificate, and that the whole chain verifies. A re-formatted copy (an earlier download was
 * pretty-printed) is judged by its content and says so.
 */
export async function verifyCertificateFile(
  db: Executor,
  bytes: Buffer,
  options: Options = {},
): Promise<CertificateVerdict> {
  let certificate: unknown;
  try {
    certificate = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { ok: false, reference: null, kind: null, sha256: null, checks: [{ ok: false, text: "not JSON" }] };
  }
  if (!certificate || typeof certificate !== "object" || Array.isArray(certificate)) {
    return {
      ok: false,
      reference: null,
      kind: null,
      sha256: null,
      checks: [{ ok: false, text: "not a certificate (a JSON object)" }],
    };
  }
  const sha256 = certificateSha256(certificate);
  const canonical = certificateBytes(certificate).equals(bytes);
  const checks: CertificateCheck[] = [
    canonical
      ? { ok: true, text: "the file's bytes are the certificate's canonical JSON: sha256sum of the file is its hash" }
      : {
          ok: null,
          text: `the file is not in canonical form (re-formatted, or an earlier pretty-printed download): its bytes hash to ${sha256Hex(bytes)}; its content is checked`,
        },
  ];
  const { requestReference } = certificate as Certified;
  const reference = typeof requestReference === "string" ? requestReference : null;
  return finish(db, certificate as Certified, sha256, checks, options, reference);
}

/** The certificate a request stores, checked as `verifyCertificateFile` checks a file, and against its stored hash. */
export async function verifyCertificateReference(
  db: Executor,
  reference: string,
  options: Options = {},
): Promise<CertificateVerdict> {
  const [request] = await db
    .select({ certificate: dsrRequests.certificate, sha256: dsrRequests.certificateSha256 })
    .from(dsrRequests)
    .where(eq(dsrRequests.referenceCode, reference));
  const fail = (text: string): CertificateVerdict => ({
    ok: false,
    reference,
    kind: null,
    sha256: null,
    checks: [{ ok: false, text }],
  });
  if (!request) return fail(`no request has the reference ${reference}`);
  if (!request.certificate || !request.sha256) return fail(`request ${reference} has no certificate (yet)`);
  const sha256 = certificateSha256(request.certificate);
  const checks: CertificateCheck[] = [
    sha256 === request.sha256
      ? { ok: true, text: "the stored certificate hashes to its stored SHA-256" }
      : { ok: false, text: `the stored certificate hashes to ${sha256}, not to its stored SHA-256 ${request.sha256}` },
  ];
  return finish(db, request.certificate as Certified, sha256, checks, options, reference);
}

async function finish(
  db: Executor,
  certificate: Certified,
  sha256: string,
  checks: CertificateCheck[],
  options: Options,
  reference: string | null,
): Promise<CertificateVerdict> {
  const keyring = options.keyring ?? auditKeyringFromEnv();
  const orgId = certificate.organisation?.id;
  const [entry] = await db
    .select()
    .from(auditLog)
    .where(
      and(
        typeof orgId === "string" && UUID.test(orgId) ? eq(auditLog.orgId, orgId) : undefined,
        inArray(auditLog.action, Object.keys(ISSUING_ACTIONS)),
        sql`${auditLog.details}->>'certificateSha256' = ${sha256}`,
      ),
    )
    .orderBy(asc(auditLog.id))
    .limit(1);
  const kind = entry
    ? ISSUING_ACTIONS[entry.action as keyof typeof ISSUING_ACTIONS]
    : certificate.kind === "withdrawal"
      ? "withdrawal"
      : "deletion";
  if (!entry) {
    checks.push({
      ok: false,
      text: `no audit entry records the SHA-256 ${sha256}: this is not a certificate Consentry issued, or it was altered`,
    });
  } else {
    const key = entry.keyId === null ? null : keyring.keys.get(entry.keyId);
    const intact =
      entry.keyId === null
        ? legacyAuditHash(entry) === entry.hash
        : !!key && keyedAuditHash(entry, entry.keyId, key) === entry.hash;
    checks.push(
      intact
        ? {
            ok: true,
            text: `audit entry #${entry.id} (${entry.action}, ${shanghai(entry.at)}) records this SHA-256, and the entry verifies`,
          }
        : {
            ok: false,
            text: `audit entry #${entry.id} (${entry.action}) records this SHA-256, but the entry itself does not verify (${key === undefined ? "unknown audit key" : "altered"})`,
          },
    );
  }
  checks.push(await storedCheck(db, kind, reference, sha256));
  const chain = await verifyAuditChain(db, { keyring, listLimit: 100 });
  checks.push(
    chain.ok
      ? { ok: true, text: `the audit chain is intact (${chain.checked} entries checked)` }
      : {
          ok: false,
          text: `the audit chain is broken at entry #${chain.brokenAtId} (${chain.reason}); ${chain.openBreaks} open break(s) in ${chain.checked} entries`,
        },
  );
  return { ok: checks.every((check) => check.ok !== false), reference, kind, sha256, checks };
}

/** Whether the organisation still stores the same certificate: on its request, or on the withdrawn consents. */
async function storedCheck(
  db: Executor,
  kind: "deletion" | "withdrawal",
  reference: string | null,
  sha256: string,
): Promise<CertificateCheck> {
  if (reference) {
    const [request] = await db
      .select({ sha256: dsrRequests.certificateSha256 })
      .from(dsrRequests)
      .where(eq(dsrRequests.referenceCode, reference));
    if (!request) return { ok: null, text: `no request ${reference} is stored any more` };
    return request.sha256 === sha256
      ? { ok: true, text: `request ${reference} stores the same certificate` }
      : {
          ok: false,
          text: `request ${reference} stores a certificate with another SHA-256 (${request.sha256 ?? "none"})`,
        };
  }
  if (kind === "withdrawal") {
    const [consent] = await db
      .select({ id: consents.id })
      .from(consents)
      .where(eq(consents.withdrawalCertificateSha256, sha256))
      .limit(1);
    return consent
      ? { ok: true, text: "the withdrawn consents store the same certificate" }
      : { ok: null, text: "no consent stores this certificate any more" };
  }
  return { ok: null, text: "the certificate names no request" };
}

/** The verdict as people read it: one line with the outcome, then one per check. */
export function formatVerdict(verdict: CertificateVerdict): string {
  const what = [verdict.kind ? `${verdict.kind} certificate` : "certificate", verdict.reference].filter(Boolean);
  const mark = (ok: boolean | null) => (ok === true ? "✓" : ok === false ? "✗" : "·");
  return [
    `${what.join(" ")}: ${verdict.ok ? "VALID" : "NOT VALID"}`,
    ...(verdict.sha256 ? [`  SHA-256 ${verdict.sha256}`] : []),
    ...verdict.checks.map((check) => `  ${mark(check.ok)} ${check.text}`),
  ].join("\n");
}
