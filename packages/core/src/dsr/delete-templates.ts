import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import {
  and,
  type Database,
  eq,
  inArray,
  isNotNull,
  isNull,
  notInArray,
  or,
  type SQL,
  schema,
  sql,
  writeAudit,
} from "@consentry/db";
import type { TemplateDeletionJob } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { removeUnsharedPhotoFiles } from "../photo-files";
import { approverOf, type CertificateApprover, certificateSha256 } from "./certificate";
import { ErasureRefusedError } from "./request";
import { ResidualDataError } from "./residue";
import { OPS_ACTOR, union } from "./shared";

const { consents, dsrRequests, enrolmentPhotos, enrolments, faceTemplates, organizations, sites, subjects } = schema;

/**
 * What the person receives after a withdrawal: its SHA-256 over `canonicalJson(certificate)` is
 * stored and audited. Version 2 adds `approvedBy` and `catalogueVersion`, as deletion certificates have.
 */
export type WithdrawalCertificate = {
  version: 1 | 2;
  kind: "withdrawal";
  /** The portal request that asked for it; null when staff recorded the withdrawal. */
  requestReference: string | null;
  organisation: { id: string; name: string };
  site: { id: string; code: string; name: string };
  subject: { pseudonym: string };
  consents: { id: string; purpose: string; givenAt: string; withdrawnAt: string }[];
  /** When the residual check found nothing left under these consents and the certificate was issued. */
  deletedAt: string;
  items: { templates: number; enrolmentPhotos: number; photoFiles: number; recognitionEvents: number };
  /** Recognition events at the site stay while another active consent of the person covers it. */
  recognitionEventsKept: boolean;
  residualScan: { checked: string[]; rowsFound: 0; storageKeysChecked: number; filesFound: 0 };
  /** Who approved the portal request; null when staff recorded the withdrawal or no approval is on record. */
  approvedBy?: CertificateApprover | null;
  /** The compliance rule catalogue in force when the certificate was issued. */
  catalogueVersion?: string;
};

export type TemplateDeletionResult = { deleted: number; siteIds: string[] };

/**
 * The `template-deletion` job after a consent withdrawal. With `consentIds` (every withdrawal
 * queued since certificates exist) see `deleteWithdrawnFaceData`. Without them (older jobs, and
 * templates whose consent row is gone) it deletes those of the job's templates that are still
 * queued for deletion and audits how many; a retry after success deletes nothing and writes no
 * entry. Returns the sites whose galleries held them (their caches already skip queued templates).
 */
export async function deleteWithdrawnTemplates({
  db,
  job,
  storage,
  now,
}: {
  db: Database;
  job: TemplateDeletionJob;
  storage?: FileStore;
  now?: Date;
}): Promise<TemplateDeletionResult> {
  if (job.consentIds?.length) {
    if (!storage) throw new Error("deleting a withdrawal's face data needs the file store");
    const { deleted, siteIds } = await deleteWithdrawnFaceData({ db, storage, job, now });
    return { deleted, siteIds };
  }
  if (job.templateIds.length === 0) return { deleted: 0, siteIds: [] as string[] };
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(faceTemplates)
      .where(
        and(
          inArray(faceTemplates.id, job.templateIds),
          eq(faceTemplates.subjectId, job.subjectId),
          isNotNull(faceTemplates.deletionQueuedAt),
        ),
      )
      .returning({ orgId: faceTemplates.orgId, siteId: faceTemplates.siteId });
    const first = deleted[0];
    if (!first) return { deleted: 0, siteIds: [] as string[] };
    const [subject] = await tx
      .select({ pseudonym: subjects.pseudonym })
      .from(subjects)
      .where(eq(subjects.id, job.subjectId));
    await writeAudit(tx, {
      actor: OPS_ACTOR,
      orgId: first.orgId,
      action: "template.delete",
      targetType: "subject",
      targetId: job.subjectId,
      details: {
        pseudonym: subject?.pseudonym ?? null,
        count: deleted.length,
        reason: job.reason,
        jobId: job.jobId,
      },
    });
    return { deleted: deleted.length, siteIds: union(deleted.map((row) => row.siteId)) };
  });
}

/**
 * Everything of the person's face data under withdrawn consents, then the withdrawal certificate
 * (CN-PI-03): the consents' templates (and any of `templateIds` still queued), the photos of
 * their enrolments with the files no other row points to (content-addressed storage), and the
 * person's recognition events at the consents' sites that no other active consent of theirs
 * covers. Files go first, then every row, the residual check, the certificate on the consents
 * (and on the portal request, if any) and the audit entry in one transaction: a crash anywhere
 * leaves either the finished certificate (a retry returns it) or a retry that does it all again
 * and counts the same (a file already gone counts once, when its row goes).
 */
export async function deleteWithdrawnFaceData({
  db,
  storage,
  job,
  now = new Date(),
}: {
  db: Database;
  storage: FileStore;
  job: TemplateDeletionJob;
  now?: Date;
}): Promise<TemplateDeletionResult & { certificate: WithdrawalCertificate; sha256: string }> {
  const consentIds = union(job.consentIds ?? []);
  const withdrawn = await db
    .select()
    .from(consents)
    .where(and(inArray(consents.id, consentIds), eq(consents.subjectId, job.subjectId)));
  if (withdrawn.length !== consentIds.length) {
    throw new ErasureRefusedError(`job ${job.jobId} names consents of another person, or gone`);
  }
  const done = storedCertificate(withdrawn);
  if (done) return { deleted: 0, siteIds: [], ...done };
  if (withdrawn.some((consent) => !consent.withdrawnAt)) {
    throw new ErasureRefusedError(`job ${job.jobId} names an active consent`);
  }

  const photosUnder = and(
    eq(enrolmentPhotos.subjectId, job.subjectId),
    inArray(
      enrolmentPhotos.enrolmentId,
      db.select({ id: enrolments.id }).from(enrolments).where(inArray(enrolments.consentId, consentIds)),
    ),
  ) as SQL;
  const photos = await db
    .select({ id: enrolmentPhotos.id, key: enrolmentPhotos.storageKey })
    .from(enrolmentPhotos)
    .where(photosUnder);
  const removable = await removeUnsharedPhotoFiles(db, storage, photos);

  const siteIds = union(withdrawn.map((consent) => consent.siteId));
  const templatesUnder = or(
    inArray(faceTemplates.consentId, consentIds),
    job.templateIds.length
      ? and(inArray(faceTemplates.id, job.templateIds), isNotNull(faceTemplates.deletionQueuedAt))
      : undefined,
  ) as SQL;

  const result = await db.transaction(async (tx) => {
    // Serialises two runs of one job: the second waits, then finds the certificate.
    const locked = await tx.select().from(consents).where(inArray(consents.id, consentIds)).for("update");
    const again = storedCertificate(locked);
    if (again) return { deleted: 0, siteIds: [] as string[], ...again };

    // Sites where another active consent of the person still covers recognition keep their events.
    const covered = new Set(
      (
        await tx
          .select({ siteId: consents.siteId })
          .from(consents)
          .where(
            and(
              eq(consents.subjectId, job.subjectId),
              inArray(consents.siteId, siteIds),
              isNull(consents.withdrawnAt),
              notInArray(consents.id, consentIds),
            ),
          )
      ).map((row) => row.siteId),
    );
    const eventSites = siteIds.filter((siteId) => !covered.has(siteId));
    const eventsOf = (ids: string[]) =>
      sql`subject_id = ${job.subjectId} and site_id in (${sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      )})`;

    // Events and photos before templates: deleting a template would rewrite each of them (set null).
    const [events] = eventSites.length
      ? await tx.execute<{ count: number }>(
          sql`with deleted as (delete from recognition_events where ${eventsOf(eventSites)} returning 1)
              select count(*)::int as count from deleted`,
        )
      : [{ count: 0 }];
    // Only the photos whose files were handled above; one added meanwhile fails the residual check.
    const deletedPhotos = photos.length
      ? await tx
          .delete(enrolmentPhotos)
          .where(
            and(
              photosUnder,
              inArray(
                enrolmentPhotos.id,
                photos.map((photo) => photo.id),
              ),
            ),
          )
          .returning({ key: enrolmentPhotos.storageKey })
      : [];
    const templates = await tx
      .delete(faceTemplates)
      .where(and(eq(faceTemplates.subjectId, job.subjectId), templatesUnder))
      .returning({ siteId: faceTemplates.siteId });

    // Nothing may be left (a template written meanwhile fails this attempt; the retry deletes it).
    const [left] = await tx.execute<{ templates: number; photos: number; events: number }>(sql`select
        (select count(*)::int from face_templates where subject_id = ${job.subjectId}
           and consent_id in (${sql.join(
             consentIds.map((id) => sql`${id}`),
             sql`, `,
           )})) as templates,
        (select count(*)::int from enrolment_photos p join enrolments e on e.id = p.enrolment_id
           where p.subject_id = ${job.subjectId} and e.consent_id in (${sql.join(
             consentIds.map((id) => sql`${id}`),
             sql`, `,
           )})) as photos,
        ${eventSites.length ? sql`(select count(*)::int from recognition_events where ${eventsOf(eventSites)})` : sql`0`} as events`);
    const removedKeys = union(deletedPhotos.map((row) => row.key)).filter((key) => removable.has(key));
    const filesLeft = await existingFiles(storage, removedKeys);
    const rowsLeft = Number(left?.templates ?? 0) + Number(left?.photos ?? 0) + Number(left?.events ?? 0);
    if (rowsLeft + filesLeft > 0) {
      throw new ResidualDataError(`withdrawal ${job.jobId} still has ${rowsLeft} row(s) and ${filesLeft} file(s)`);
    }

    const [context] = await tx
      .select({
        orgId: sites.orgId,
        orgName: organizations.name,
        siteCode: sites.code,
        siteName: sites.name,
        pseudonym: subjects.pseudonym,
      })
      .from(sites)
      .innerJoin(organizations, eq(organizations.id, sites.orgId))
      .innerJoin(subjects, eq(subjects.id, job.subjectId))
      .where(eq(sites.id, siteIds[0] as string));
    if (!context) throw new Error(`withdrawal ${job.jobId} lost its site or person`);
    const [request] = job.requestId
      ? await tx
          .select({ id: dsrRequests.id, referenceCode: dsrRequests.referenceCode })
          .from(dsrRequests)
          .where(and(eq(dsrRequests.id, job.requestId), eq(dsrRequests.orgId, context.orgId)))
      : [];

    const certificate: WithdrawalCertificate = {
      version: 2,
      kind: "withdrawal",
      requestReference: request?.referenceCode ?? null,
      organisation: { id: context.orgId, name: context.orgName },
      site: { id: siteIds[0] as string, code: context.siteCode, name: context.siteName },
      subject: { pseudonym: context.pseudonym },
      consents: locked
        .map((consent) => ({
          id: consent.id,
          purpose: consent.purpose,
          givenAt: consent.givenAt.toISOString(),
          withdrawnAt: (consent.withdrawnAt as Date).toISOString(),
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
      deletedAt: now.toISOString(),
      items: {
        templates: templates.length,
        enrolmentPhotos: deletedPhotos.length,
        photoFiles: removedKeys.length,
        recognitionEvents: Number(events?.count ?? 0),
      },
      recognitionEventsKept: covered.size > 0,
      residualScan: {
        checked: ["face_templates", "enrolment_photos", "recognition_events"],
        rowsFound: 0,
        storageKeysChecked: removedKeys.length,
        filesFound: 0,
      },
      approvedBy: request ? await approverOf(tx, { id: request.id, orgId: context.orgId }) : null,
      catalogueVersion: RULE_CATALOGUE_VERSION,
    };
    const sha256 = certificateSha256(certificate);
    await tx
      .update(consents)
      .set({ withdrawalCertificate: certificate, withdrawalCertificateSha256: sha256 })
      .where(inArray(consents.id, consentIds));
    if (request) {
      await tx
        .update(dsrRequests)
        .set({ certificate, certificateSha256: sha256, outcome: describeWithdrawal(certificate) })
        .where(eq(dsrRequests.id, request.id));
    }
    await writeAudit(tx, {
      actor: OPS_ACTOR,
      orgId: context.orgId,
      action: "consent.withdrawal.complete",
      targetType: "subject",
      targetId: job.subjectId,
      details: {
        pseudonym: context.pseudonym,
        consentIds,
        requestReference: certificate.requestReference,
        certificateSha256: sha256,
        items: certificate.items,
        jobId: job.jobId,
      },
    });
    return { deleted: templates.length, siteIds: union(templates.map((row) => row.siteId)), certificate, sha256 };
  });
  return result;
}

/** The certificate the consents already carry (all of them the same one), or null. */
function storedCertificate(rows: { withdrawalCertificate: unknown; withdrawalCertificateSha256: string | null }[]) {
  const [first] = rows;
  if (!first?.withdrawalCertificateSha256) return null;
  if (rows.some((row) => row.withdrawalCertificateSha256 !== first.withdrawalCertificateSha256)) return null;
  return {
    certificate: first.withdrawalCertificate as WithdrawalCertificate,
    sha256: first.withdrawalCertificateSha256,
  };
}

async function existingFiles(storage: FileStore, keys: readonly string[]) {
  let found = 0;
  for (const key of keys) {
    try {
      await storage.read(key);
      found++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return found;
}

function describeWithdrawal({ items, recognitionEventsKept }: WithdrawalCertificate): string {
  return (
    `Consent withdrawn. Deleted: face templates ${items.templates}, enrolment photos ${items.enrolmentPhotos} ` +
    `(files ${items.photoFiles}), recognition events ${items.recognitionEvents}` +
    (recognitionEventsKept ? " (events under another active consent at this site are kept)." : ".")
  );
}
