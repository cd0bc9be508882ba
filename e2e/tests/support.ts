import { randomBytes } from "node:crypto";
import { createUserWithPassword, type OrgRole } from "@consentry/auth";
import { storeComplianceSnapshots } from "@consentry/core/compliance";
import { encryptString, RTSP_URL_CONTEXT, sealEmbedding } from "@consentry/crypto";
import { createDatabase, eq, schema } from "@consentry/db";
import { expect, type Page } from "@playwright/test";

// Each test makes its own organisations and users with unique names, so tests never collide
// and the database needs no reset between them.

export const PASSWORD = "e2e-password-long-enough";
const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, { applicationName: "consentry-e2e", max: 2 });
const unique = () => randomBytes(4).toString("hex");

export async function makeOrganization(name = `E2E Org ${unique()}`) {
  const [org] = await db
    .insert(schema.organizations)
    .values({ name, slug: `e2e-${unique()}` })
    .returning();
  return org as NonNullable<typeof org>;
}

export async function makeUser(
  options: { orgId?: string; role?: OrgRole; jurisdictionCodes?: string[]; platformAdmin?: boolean } = {},
) {
  const email = `e2e-${unique()}@test.consentry.local`;
  const userId = await createUserWithPassword(db, { email, name: email, password: PASSWORD });
  if (options.orgId)
    await db.insert(schema.memberships).values({ orgId: options.orgId, userId, role: options.role ?? "manager" });
  if (options.jurisdictionCodes) {
    await db
      .insert(schema.regulators)
      .values({ userId, authority: "E2E Cyberspace Office", jurisdictionCodes: options.jurisdictionCodes });
  }
  if (options.platformAdmin) await db.insert(schema.platformAdmins).values({ userId });
  return { email, userId };
}

/** Creates a site and returns its public code. */
export async function makeSite(orgId: string, name: string, options: { regionCode?: string; createdAt?: Date } = {}) {
  const code = `S-E${unique().slice(0, 5).toUpperCase()}`;
  await db.insert(schema.sites).values({
    orgId,
    name,
    code,
    address: "1 Test Road",
    regionCode: options.regionCode ?? "310101",
    kind: "office",
    createdAt: options.createdAt,
  });
  return code;
}

/** Signs in over HTTP (the form itself has its own test). */
export async function signIn(page: Page, email: string) {
  const response = await page.request.post("/api/auth/sign-in/email", {
    data: { email, password: PASSWORD },
    headers: {
      origin: new URL(page.url() === "about:blank" ? (process.env.E2E_BASE_URL as string) : page.url()).origin,
    },
  });
  expect(response.ok(), await response.text()).toBe(true);
}

/**
 * A face-recognition camera at a site (stored as the API would: URL encrypted). By default its
 * address leads nowhere; `url` (e.g. E2E_CAMERA_URL) gives it a working stream to analyse.
 */
export async function makeCamera(
  orgId: string,
  siteCode: string,
  name: string,
  options: { url?: string; analysisFps?: number } = {},
) {
  const [site] = await db.select().from(schema.sites).where(eq(schema.sites.code, siteCode));
  const url = options.url ?? "rtsp://127.0.0.1:8554/cam1";
  const [camera] = await db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId: site?.id as string,
      name,
      rtspUrlEnc: encryptString(url, RTSP_URL_CONTEXT),
      rtspUrlMasked: url,
      locationType: "entrance",
      frEnabled: true,
      analysisFps: options.analysisFps,
    })
    .returning();
  return camera as NonNullable<typeof camera>;
}

/** A consenting person with `templates` face templates under that consent. */
export async function makeConsentingPerson(orgId: string, siteCode: string, templates: number) {
  const [site] = await db.select().from(schema.sites).where(eq(schema.sites.code, siteCode));
  const siteId = site?.id as string;
  const [subject] = await db
    .insert(schema.subjects)
    .values({
      orgId,
      pseudonym: `P-E${unique().toUpperCase()}`,
      displayNameEnc: encryptString("测试人员", "subjects.display_name"),
    })
    .returning();
  const [consent] = await db
    .insert(schema.consents)
    .values({
      orgId,
      subjectId: subject?.id as string,
      siteId,
      purpose: "entry_verification",
      method: "written",
      givenAt: new Date(),
    })
    .returning();
  if (templates === 0) return subject as NonNullable<typeof subject>;
  await db.insert(schema.faceTemplates).values(
    Array.from({ length: templates }, () => ({
      orgId,
      subjectId: subject?.id as string,
      siteId,
      consentId: consent?.id as string,
      modelId: "test-model",
      modelVersion: "test",
      embeddingEnc: sealEmbedding(new Float32Array([0.6, 0.8])),
    })),
  );
  return subject as NonNullable<typeof subject>;
}

/** An impact assessment for the site, which face recognition and enrolment need (CN-FR-08). */
export async function makeAssessment(orgId: string, siteCode: string) {
  const [site] = await db.select().from(schema.sites).where(eq(schema.sites.code, siteCode));
  await db.insert(schema.assessments).values({
    orgId,
    siteId: site?.id as string,
    scope: "All gates",
    approver: "DPO",
    documentSha256: "d".repeat(64),
    completedAt: new Date(),
  });
}

/** Rows that still hold anything of a person: templates, enrolment photos, recognition events. */
export async function countSubjectData(subjectId: string) {
  const [templates, photos, events] = await Promise.all([
    db.select().from(schema.faceTemplates).where(eq(schema.faceTemplates.subjectId, subjectId)),
    db.select().from(schema.enrolmentPhotos).where(eq(schema.enrolmentPhotos.subjectId, subjectId)),
    db.select().from(schema.recognitionEvents).where(eq(schema.recognitionEvents.subjectId, subjectId)),
  ]);
  return { templates: templates.length, photos: photos.length, events: events.length };
}

/** Evaluates the organisation and stores its compliance snapshots, as the ops worker does. */
export async function snapshotCompliance(orgId: string) {
  await storeComplianceSnapshots(db, orgId);
}
