import { and, desc, type Executor, eq, isNull, schema, sql } from "@consentry/db";

export type EnrolmentRefusal = {
  ruleId: "CN-FR-04" | "CN-FR-05" | "CN-FR-08";
  /** Message key the web app translates ("validation" namespace). */
  reason: "ruleNoConsent" | "ruleGuardianConsent" | "rulePipiaMissing";
  message: string;
};

/**
 * Whether a person may be enrolled for recognition at a site, by the rules the engine checks
 * afterwards: an active, separate consent covering recognition there (CN-FR-04), a guardian's
 * consent for a child (CN-FR-05), and an impact assessment for the site (CN-FR-08). Checked when
 * a manager uploads photos and again when the worker computes the templates.
 */
export async function checkEnrolment(
  db: Executor,
  input: { orgId: string; subjectId: string; siteId: string },
): Promise<{ consentId: string } | { refusal: EnrolmentRefusal }> {
  const { consents, subjects, assessments } = schema;
  const [[consent], [subject], [assessment]] = await Promise.all([
    db
      .select({ id: consents.id, guardianConsentAt: consents.guardianConsentAt })
      .from(consents)
      .where(
        and(
          eq(consents.orgId, input.orgId),
          eq(consents.subjectId, input.subjectId),
          eq(consents.siteId, input.siteId),
          isNull(consents.withdrawnAt),
          eq(consents.isSeparate, true),
          eq(consents.isBundled, false),
          sql`'recognition' = any(${consents.scopes})`,
        ),
      )
      .orderBy(desc(consents.givenAt))
      .limit(1),
    db
      .select({ isMinor: subjects.isMinor })
      .from(subjects)
      .where(and(eq(subjects.id, input.subjectId), isNull(subjects.erasedAt))),
    db.select({ id: assessments.id }).from(assessments).where(eq(assessments.siteId, input.siteId)).limit(1),
  ]);
  if (!consent || !subject) {
    return {
      refusal: {
        ruleId: "CN-FR-04",
        reason: "ruleNoConsent",
        message:
          "CN-FR-04: this person has no active, separate consent to face recognition at this site; record it before enrolling.",
      },
    };
  }
  if (subject.isMinor && !consent.guardianConsentAt) {
    return {
      refusal: {
        ruleId: "CN-FR-05",
        reason: "ruleGuardianConsent",
        message: "CN-FR-05: a child under 14 needs the consent of a parent or guardian before enrolment.",
      },
    };
  }
  if (!assessment) {
    return {
      refusal: {
        ruleId: "CN-FR-08",
        reason: "rulePipiaMissing",
        message: "CN-FR-08: record an impact assessment (PIPIA) for this site before enrolling anyone.",
      },
    };
  }
  return { consentId: consent.id };
}

/** Encryption context of stored enrolment photos (bound as authenticated data). */
export const ENROLMENT_PHOTO_CONTEXT = "enrolment_photos.photo";
