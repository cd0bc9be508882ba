import { createHash, randomBytes } from "node:crypto";
import { createUserWithPassword, type OrgRole } from "@consentry/auth";
import { storeComplianceSnapshots } from "@consentry/core/compliance";
import { encryptString, RTSP_URL_CONTEXT, sealEmbedding } from "@consentry/crypto";
import { createDatabase, eq, schema } from "@consentry/db";
import { readMailTo } from "@consentry/mail/dev-server";
import { expect, type Page } from "@playwright/test";

// Each test makes its own organisations and users with unique names, so tests never collide
// and the database needs no reset between them.

export const PASSWORD = "e2e-password-long-enough";
const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, { applicationName: "consentry-e2e", max: 2 });
const unique = () => randomBytes(4).toString("hex");

/** Every mail to `address` in the dev mailbox the e2e run shares, newest first. */
export const mailsTo = (address: string) => readMailTo(process.env.CONSENTRY_DEV_MAILBOX_DIR ?? "", address);

export async function makeOrganization(name = `E2E Org ${unique()}`) {
  const [org] = await db
    .insert(schema.organizations)
    .values({ name, slug: `e2e-${unique()}` })
    .returning();
  if (!org) throw new Error("insert returned no row");
  // Camera networks (issue #13): the simulator's 127.0.0.1:<port> (the seed's installation
  // exception allows that one reserved address) and a private range for cameras that lead nowhere.
  const simPort = Number(new URL(process.env.E2E_CAMERA_URL as string).port);
  await db.insert(schema.cameraNetworks).values([
    { orgId: org.id, cidr: "127.0.0.1/32", portFrom: simPort, portTo: simPort, note: "摄像头模拟器" },
    { orgId: org.id, cidr: "10.0.0.0/8", note: "场所摄像头" },
  ]);
  return org;
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
export async function makeSite(
  orgId: string,
  name: string,
  options: { regionCode?: string; createdAt?: Date; address?: string } = {},
) {
  const code = `S-E${unique().slice(0, 5).toUpperCase()}`;
  await db.insert(schema.sites).values({
    orgId,
    name,
    code,
    address: options.address ?? "1 Test Road",
    regionCode: options.regionCode ?? "310101",
    kind: "office",
    createdAt: options.createdAt,
  });
  return code;
}

/** The id of the site with this code. */
export async function siteIdOf(code: string) {
  const [site] = await db.select({ id: schema.sites.id }).from(schema.sites).where(eq(schema.sites.code, code));
  if (!site) throw new Error(`no site ${code}`);
  return site.id;
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
  options: { url?: string; analysisFps?: number; entryPointId?: string; frEnabled?: boolean } = {},
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
      frEnabled: options.frEnabled ?? true,
      analysisFps: options.analysisFps,
      entryPointId: options.entryPointId,
    })
    .returning();
  return camera as NonNullable<typeof camera>;
}

/** A consenting person with `templates` face templates under that consent (separate, no notice recorded, unless `consent` says). */
export async function makeConsentingPerson(
  orgId: string,
  siteCode: string,
  templates: number,
  consent: { isSeparate?: boolean; isBundled?: boolean } = {},
) {
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
  const [given] = await db
    .insert(schema.consents)
    .values({
      orgId,
      subjectId: subject?.id as string,
      siteId,
      purpose: "entry_verification",
      method: "written",
      givenAt: new Date(),
      ...consent,
    })
    .returning();
  if (templates === 0) return subject as NonNullable<typeof subject>;
  await db.insert(schema.faceTemplates).values(
    Array.from({ length: templates }, () => ({
      orgId,
      subjectId: subject?.id as string,
      siteId,
      consentId: given?.id as string,
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

/** An entry point with face recognition; by default it states its purpose and nothing else. */
export async function makeEntryPoint(
  orgId: string,
  siteCode: string,
  name: string,
  fields: { necessityNote?: string; faceIsDefault?: boolean; alternatives?: ("key_card" | "pin" | "qr")[] } = {},
) {
  const [entryPoint] = await db
    .insert(schema.entryPoints)
    .values({
      orgId,
      siteId: await siteIdOf(siteCode),
      name,
      purpose: "entry_verification",
      faceRecognition: true,
      ...fields,
    })
    .returning();
  return entryPoint as NonNullable<typeof entryPoint>;
}

/** Version 1 of the site's privacy notice, every field filled. */
export async function makeNotice(orgId: string, siteCode: string) {
  await db.insert(schema.notices).values({
    orgId,
    siteId: await siteIdOf(siteCode),
    version: 1,
    controller: "E2E Property Co.",
    purpose: "Entry for residents who choose face recognition",
    method: "Matching against consenting residents only",
    retention: "Until moving out, at most one year",
    rights: "Refuse, withdraw, see, delete",
    contact: "privacy@e2e.example.cn",
  });
}

/**
 * A verified deletion request for the person, open and linked to them, submitted `daysAgo` days
 * ago with its deadline `dueDaysAgo` days ago. The contact is sealed as the portal seals it
 * (core/portal/submit-request.ts); its hash is a plain one, as the seed's: nothing here matches by contact.
 */
export async function makeOverdueDeletionRequest(
  orgId: string,
  siteCode: string,
  subjectId: string,
  { daysAgo = 30, dueDaysAgo = 5 } = {},
) {
  const contact = `requester-${unique()}@e2e.example.cn`;
  const stored = { email: contact, phone: null, reference: null, details: null };
  const day = 86_400_000;
  const [request] = await db
    .insert(schema.dsrRequests)
    .values({
      orgId,
      siteId: await siteIdOf(siteCode),
      subjectId,
      type: "deletion",
      referenceCode: `R-E${unique().toUpperCase()}`,
      contactEnc: encryptString(JSON.stringify(stored), "dsr_requests.contact"),
      contactHash: createHash("sha256").update(contact).digest("hex"),
      submittedAt: new Date(Date.now() - daysAgo * day),
      verifiedAt: new Date(Date.now() - daysAgo * day),
      dueAt: new Date(Date.now() - dueDaysAgo * day),
      status: "open",
    })
    .returning();
  return request as NonNullable<typeof request>;
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

/** The app's own origin: state-changing requests must carry it (the CSRF check, apps/web/src/proxy.ts). */
export const APP_ORIGIN = new URL(process.env.E2E_BASE_URL as string).origin;

/** A tRPC mutation as the app's own page would send it, with the page's session. */
export async function trpcMutation(page: Page, path: string, input: unknown) {
  const response = await page.request.post(`/api/trpc/${path}`, {
    data: { json: input },
    headers: { origin: APP_ORIGIN },
  });
  return { status: response.status(), body: await response.json() };
}

/** Share of sampled live-view canvas pixels that are not black: the picture is really playing. */
export async function litPixelShare(page: Page) {
  return page.getByTestId("live-canvas").evaluate((canvas: HTMLCanvasElement) => {
    const copy = document.createElement("canvas");
    copy.width = 64;
    copy.height = 48;
    const context = copy.getContext("2d") as CanvasRenderingContext2D;
    context.drawImage(canvas, 0, 0, 64, 48);
    const { data } = context.getImageData(0, 0, 64, 48);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0) > 60) lit++;
    return lit / (data.length / 4);
  });
}

/**
 * A stream of the e2e camera simulator (cam1 … cam30). One stream is one camera across the
 * installation, so every test that registers one through the app takes its own channel, moved on
 * by the retry number (a retry finds the first attempt's camera still registered).
 */
export function simCameraUrl(channel: number, retry = 0) {
  const url = new URL(process.env.E2E_CAMERA_URL as string);
  url.pathname = `/cam${channel + 10 * retry}`;
  return url.toString();
}
