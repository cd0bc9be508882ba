import { createHash } from "node:crypto";
import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import { and, canonicalJson, type Database, desc, type Executor, eq, schema, writeAudit } from "@consentry/db";
import type { ErasureCounts } from "./progress";
import { loadRequest, type RequestRow } from "./request";
import { RESIDUAL_SCAN_TABLES } from "./residue";
import { OPS_ACTOR } from "./shared";

const { auditLog, dsrErasures, dsrRequests, memberships, organizations, sites, subjects } = schema;

/** The staff member who approved the request: their role and a pseudonym, never a name or contact. */
export type CertificateApprover = {
  /** `staff-` and 12 hex digits of SHA-256 over the user id (see `staffPseudonym`). */
  staffId: string;
  /** Their role in the organisation when the certificate was issued; null if not (or no longer) a member. */
  role: "owner" | "manager" | "operator" | "auditor" | null;
  approvedAt: string;
};

/**
 * What the data subject receives. Its SHA-256 over `certificateBytes(certificate)` is stored and
 * audited. Version 2 adds `approvedBy` and `catalogueVersion`; version 1 certificates lack them.
 */
export type DeletionCertificate = {
  version: 1 | 2;
  requestReference: string;
  organisation: { id: string; name: string };
  site: { id: string; code: string; name: string };
  subject: { pseudonym: string };
  requestVerifiedAt: string | null;
  /** When the residual scan found nothing left and the certificate was issued. */
  erasedAt: string;
  /** Nothing was left to erase: an earlier request had already erased this subject. */
  alreadyErased: boolean;
  items: ErasureCounts;
  residualScan: {
    tablesChecked: string[];
    /** Outside the erased tables: audit entries, compliance snapshots, Redis, the dev mailbox. */
    placesChecked?: string[];
    rowsFound: 0;
    storageKeysChecked: number;
    filesFound: 0;
  };
  modelIds: string[];
  /** Null when no staff approval is on record (the approval entry is missing). */
  approvedBy?: CertificateApprover | null;
  /** The compliance rule catalogue in force when the certificate was issued. */
  catalogueVersion?: string;
};

export type ErasureResult = {
  certificate: DeletionCertificate;
  sha256: string;
  /** Sites whose recognition galleries held the subject's templates: their caches must be invalidated. */
  siteIds: string[];
};

/**
 * A certificate's certified bytes: its canonical JSON (UTF-8, object keys sorted at every depth,
 * no whitespace, no trailing newline). The portal's .json download is exactly these bytes, so
 * `sha256sum` of the download equals the stated hash.
 */
export const certificateBytes = (certificate: unknown) => Buffer.from(canonicalJson(certificate), "utf8");

/** The SHA-256 a certificate is known by: over `certificateBytes`, as stored and audited. */
export const certificateSha256 = (certificate: unknown) =>
  createHash("sha256").update(certificateBytes(certificate)).digest("hex");

/**
 * How a certificate names a staff member: enough for the organisation to tell who it was (from
 * its own user ids), nothing the person receiving it could look up.
 */
export const staffPseudonym = (userId: string) =>
  `staff-${createHash("sha256").update(`consentry-staff:${userId}`).digest("hex").slice(0, 12)}`;

/** Who approved the request, from its latest `request.approve` audit entry, as a certificate names them. */
export async function approverOf(
  tx: Executor,
  request: { id: string; orgId: string },
): Promise<CertificateApprover | null> {
  const [approval] = await tx
    .select({ userId: auditLog.actorUserId, at: auditLog.at })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.targetType, "request"),
        eq(auditLog.targetId, request.id),
        eq(auditLog.action, "request.approve"),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (!approval?.userId) return null;
  const [member] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, request.orgId), eq(memberships.userId, approval.userId)));
  return {
    staffId: staffPseudonym(approval.userId),
    role: member?.role ?? null,
    approvedAt: approval.at.toISOString(),
  };
}

/** The stored result of a completed erasure: a retry gets the very same certificate. */
export async function completedResult(db: Executor, request: NonNullable<RequestRow>): Promise<ErasureResult | null> {
  if (request.status !== "completed" || !request.certificate || !request.certificateSha256) return null;
  const [progress] = await db
    .select({ siteIds: dsrErasures.siteIds })
    .from(dsrErasures)
    .where(eq(dsrErasures.requestId, request.id));
  return {
    certificate: request.certificate as DeletionCertificate,
    sha256: request.certificateSha256,
    siteIds: progress?.siteIds ?? [],
  };
}

/** Writes the certificate, closes the request (dropping its contact data) and audits it, all in one transaction. */
export async function issueCertificate(
  db: Database,
  request: NonNullable<RequestRow>,
  subjectId: string,
  now: Date,
  places: readonly string[] = [],
): Promise<ErasureResult> {
  return db.transaction(async (tx) => {
    const current = await loadRequest(tx, request.id);
    if (current) {
      const done = await completedResult(tx, current);
      if (done) return done;
    }
    const [progress] = await tx.select().from(dsrErasures).where(eq(dsrErasures.requestId, request.id));
    const [context] = await tx
      .select({
        orgName: organizations.name,
        siteCode: sites.code,
        siteName: sites.name,
        pseudonym: subjects.pseudonym,
      })
      .from(dsrRequests)
      .innerJoin(organizations, eq(organizations.id, dsrRequests.orgId))
      .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
      .innerJoin(subjects, eq(subjects.id, subjectId))
      .where(eq(dsrRequests.id, request.id));
    if (!progress || !context) throw new Error(`request ${request.id} lost its erasure progress`);

    const items: ErasureCounts = {
      templates: progress.templates,
      enrolmentPhotos: progress.enrolmentPhotos,
      photoFiles: progress.photoFiles,
      enrolments: progress.enrolments,
      recognitionEvents: progress.recognitionEvents,
      consentsWithdrawn: progress.consentsWithdrawn,
    };
    const certificate: DeletionCertificate = {
      version: 2,
      requestReference: request.referenceCode,
      organisation: { id: request.orgId, name: context.orgName },
      site: { id: request.siteId, code: context.siteCode, name: context.siteName },
      subject: { pseudonym: context.pseudonym },
      requestVerifiedAt: request.verifiedAt?.toISOString() ?? null,
      erasedAt: now.toISOString(),
      alreadyErased: progress.subjectAlreadyErased && Object.values(items).every((count) => count === 0),
      items,
      residualScan: {
        tablesChecked: [...RESIDUAL_SCAN_TABLES],
        placesChecked: [...places],
        rowsFound: 0,
        storageKeysChecked: progress.photoKeys.length,
        filesFound: 0,
      },
      modelIds: progress.modelIds,
      approvedBy: await approverOf(tx, request),
      catalogueVersion: RULE_CATALOGUE_VERSION,
    };
    const sha256 = certificateSha256(certificate);
    await tx
      .update(dsrRequests)
      .set({
        status: "completed",
        certificate,
        certificateSha256: sha256,
        closedAt: now,
        outcome: describeOutcome(certificate),
        // Only the contact's keyed hash stays, for the record.
        contactEnc: null,
        contactPseudonymisedAt: now,
      })
      .where(eq(dsrRequests.id, request.id));
    await tx.update(dsrErasures).set({ completedAt: now }).where(eq(dsrErasures.requestId, request.id));
    await writeAudit(tx, {
      actor: OPS_ACTOR,
      orgId: request.orgId,
      action: "dsr.erasure.complete",
      targetType: "request",
      targetId: request.id,
      details: {
        referenceCode: request.referenceCode,
        pseudonym: context.pseudonym,
        certificateSha256: sha256,
        items,
        alreadyErased: certificate.alreadyErased,
        attempts: progress.attempts,
      },
    });
    return { certificate, sha256, siteIds: progress.siteIds };
  });
}

function describeOutcome({ items, alreadyErased }: DeletionCertificate): string {
  if (alreadyErased) return "Erased: nothing was left; an earlier request had already erased this person's data.";
  return (
    `Erased: face templates ${items.templates}, enrolment photos ${items.enrolmentPhotos} ` +
    `(files ${items.photoFiles}), enrolments ${items.enrolments}, recognition events ${items.recognitionEvents}; ` +
    `consents withdrawn ${items.consentsWithdrawn}. Nothing of this person's data remains.`
  );
}
