import { FINDING_CODES, type Finding, type FindingCode } from "@consentry/compliance";
import { deleteWithdrawnTemplates, eraseSubjectForRequest } from "@consentry/core/dsr";
import { and, eq, schema } from "@consentry/db";
import { DEMO_RECOGNISED_PERSON, seedDemo } from "@consentry/db/seed";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makePrincipal, makeTemplates, recordingJobs, temporaryStorage } from "./testing";

// Issue #17.5: every finding the sample sites raise can be resolved through the forms of the UI.
// The sample is the demo world as `npm run demo` leaves it (its resident P-10100 enrolled, so he
// has a template), plus what the forms' own steps produce: a consent recorded as the consent form
// sent it before it had a notice field, one given without "Given separately", an entry point with
// face recognition ticked as the default. Each finding is then resolved through the procedures
// the form its compliance page links to calls (apps/web/.../compliance/remediation.ts), and the
// jobs those procedures queue run as the workers run them. A finding code without a resolution
// here fails the test: a new rule needs its way out before it ships.

type Api = ReturnType<typeof callerFor>;
type World = { api: Api; orgId: string; siteId: string; drainJobs: () => Promise<void> };
type Resolve = (finding: Finding, world: World) => Promise<void>;
type CnCode = Extract<FindingCode, `CN-${string}`>;

/** Why a finding stays: nothing the UI offers can resolve it. */
class Unresolvable extends Error {}

const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);

async function latestNotice({ api, orgId, siteId }: World) {
  const [notice] = await api.notices.list({ orgId, siteId });
  if (!notice) throw new Unresolvable("the site has no notice to record");
  return notice;
}

/** The person a finding is about; a template's person is found by pseudonym, as on the People page. */
async function personOf(finding: Finding, { api, orgId }: World): Promise<string> {
  if (finding.target.type === "subject") return finding.target.id;
  const subjectId = (finding.target as { subjectId?: unknown }).subjectId;
  if (typeof subjectId === "string") return subjectId;
  const pseudonym = finding.target.label.replace(/^Template of /, "");
  const { items } = await api.subjects.list({ orgId, search: pseudonym });
  const person = items.find((item) => item.pseudonym === pseudonym);
  if (!person) throw new Error(`no person ${pseudonym}`);
  return person.id;
}

/** The consent form as it now sends: the site's newest notice version recorded with the consent. */
async function recordConsent(
  world: World,
  subjectId: string,
  scopes: ("recognition" | "central_storage" | "transfer")[],
) {
  const notice = await latestNotice(world);
  await world.api.subjects.giveConsent({
    orgId: world.orgId,
    subjectId,
    siteId: world.siteId,
    purpose: "entry_verification",
    scopes,
    method: "written",
    isSeparate: true,
    isBundled: false,
    noticeId: notice.id,
    evidenceSha256: null,
    guardianName: null,
    guardianRelation: null,
    givenAt: new Date(),
  });
}

/** The entry-point form, saved with `change` over what the entry point holds. */
async function editEntryPoint(world: World, entryPointId: string, change: Record<string, unknown>) {
  const { api, orgId, siteId } = world;
  const entryPoint = (await api.entryPoints.list({ orgId, siteId })).find((row) => row.id === entryPointId);
  if (!entryPoint) throw new Error(`no entry point ${entryPointId}`);
  await api.entryPoints.update({
    orgId,
    entryPointId,
    name: entryPoint.name,
    purpose: entryPoint.purpose,
    necessityNote: entryPoint.necessityNote,
    faceRecognition: entryPoint.faceRecognition,
    faceIsDefault: entryPoint.faceIsDefault,
    isPublicPlace: entryPoint.isPublicPlace,
    captureAreaNote: entryPoint.captureAreaNote,
    alternatives: entryPoint.alternatives,
    ...change,
  });
}

async function entryPointOfCamera({ api, orgId }: World, cameraId: string) {
  const camera = await api.cameras.byId({ orgId, cameraId });
  if (!camera.entryPointId) throw new Error(`camera ${camera.name} has no entry point`);
  return camera.entryPointId;
}

/** The signs section: verify the sign covering the camera, or add one covering it (verified as installed). */
const signCamera: Resolve = async (finding, world) => {
  const { api, orgId, siteId } = world;
  const covering = (await api.signs.list({ orgId, siteId })).find((sign) => sign.cameraIds.includes(finding.target.id));
  if (covering) {
    await api.signs.verify({ orgId, signId: covering.id });
    return;
  }
  await api.signs.create({
    orgId,
    siteId,
    location: `Beside ${finding.target.label}`,
    text: "本区域使用摄像头和人脸识别。 Cameras and face recognition in use.",
    languages: ["zh-CN", "en"],
    installedAt: new Date(),
    cameraIds: [finding.target.id],
    entryPointIds: [],
  });
};

/** The assessments section: the PIPIA document uploaded, its hash computed by the server. */
const uploadAssessment: Resolve = async (_finding, { api, orgId, siteId }) => {
  await api.assessments.upload({
    orgId,
    siteId,
    scope: "All face-recognition entry points of the site",
    approver: "Data protection officer",
    completedAt: new Date(),
    nextReviewAt: new Date(Date.now() + 365 * 86_400_000),
    document: pdf(`PIPIA ${siteId}`),
    documentName: "PIPIA.pdf",
  });
};

/** The request page: approve it; the erasure or deletion job it queues runs as the ops worker runs it. */
const answerRequest: Resolve = async (finding, world) => {
  const { api, orgId } = world;
  const request = await api.requests.get({ orgId, requestId: finding.target.id });
  if (request.status === "open" || request.status === "in_progress") {
    await api.requests.approve({ orgId, requestId: request.id });
  } else if (request.status !== "approved") {
    // Closed without the certificate it needed: no form reopens a closed request.
    throw new Unresolvable(
      `${request.type} request ${request.referenceCode} is ${request.status} without a certificate`,
    );
  }
  await world.drainJobs();
};

/**
 * How each code is resolved through the UI, or why the sample cannot raise it. Every CN code has
 * an entry (the type says so); a code the sample raises must have a resolution, and a resolution
 * must be exercised by the sample.
 */
const RESOLUTIONS: Record<CnCode, Resolve | { notInSample: string }> = {
  "CN-FR-02.noPurpose": { notInSample: "every seeded entry point states its purpose" },
  "CN-FR-02.noNecessityNote": async (finding, world) =>
    editEntryPoint(world, await entryPointOfCamera(world, finding.target.id), {
      necessityNote: "Residents only; tailgating at the ramp in 2025.",
    }),
  "CN-FR-02.noPurposeOrNecessity": { notInSample: "every seeded entry point states its purpose" },
  "CN-FR-02.noEntryPoint": { notInSample: "every seeded face-recognition camera has an entry point" },
  "CN-FR-03.noticeIncomplete": { notInSample: "the notice form requires every field; seeded notices are complete" },
  "CN-FR-03.noNotice": { notInSample: "every seeded site has a notice" },
  // The person page's "Record the notice version" (notices.confirm): the consent and its templates stay.
  "CN-FR-03.consentWithoutNoticeVersion": async (finding, world) => {
    const notice = await latestNotice(world);
    const consents = await world.api.subjects.consents({ orgId: world.orgId, subjectId: finding.target.id });
    for (const consent of consents) {
      if (consent.siteId !== world.siteId || consent.withdrawnAt || consent.noticeVersion !== null) continue;
      await world.api.notices.confirm({ orgId: world.orgId, consentId: consent.id, noticeId: notice.id });
    }
  },
  "CN-FR-04.templateNoConsent": { notInSample: "templates are made only under a consent" },
  "CN-FR-04.templateNoConsentNoPurpose": { notInSample: "templates are made only under a consent" },
  "CN-FR-04.templateConsentWithdrawn": { notInSample: "withdrawal queues the templates' deletion at once" },
  "CN-FR-04.templatePurposeChanged": { notInSample: "no seeded entry point changed its purpose" },
  "CN-FR-04.templateConsentNotSeparate": { notInSample: "the enrolled resident's consent is separate" },
  // The consent form with "Given separately" ticked, then the bundled one withdrawn on the person page.
  "CN-FR-04.consentBundled": async (finding, world) => {
    await recordConsent(world, finding.target.id, ["recognition"]);
    const consents = await world.api.subjects.consents({ orgId: world.orgId, subjectId: finding.target.id });
    for (const consent of consents) {
      if (consent.siteId !== world.siteId || consent.withdrawnAt || (consent.isSeparate && !consent.isBundled))
        continue;
      await world.api.subjects.withdrawConsent({
        orgId: world.orgId,
        consentId: consent.id,
        reason: "Replaced by a separate consent",
      });
    }
    await world.drainJobs();
  },
  "CN-FR-05.minorWithoutGuardianConsent": { notInSample: "the seeded child's consent names the guardian" },
  // The consent form with Transfer ticked: the scope hints say central storage needs it.
  "CN-FR-06.centralWithoutTransferConsent": async (finding, world) =>
    recordConsent(world, await personOf(finding, world), ["recognition", "central_storage", "transfer"]),
  "CN-FR-07.templatesOverdue": { notInSample: "retention runs as a job; the sample has no retention runs" },
  "CN-FR-07.photosOverdue": { notInSample: "retention runs as a job; the sample has no retention runs" },
  "CN-FR-07.eventsOverdue": { notInSample: "retention runs as a job; the sample has no retention runs" },
  "CN-FR-07.retentionRunFailed": { notInSample: "retention runs as a job; the sample has no retention runs" },
  "CN-FR-07.retentionNotRunning": { notInSample: "nothing in the sample is past its retention" },
  "CN-FR-08.assessmentMissing": uploadAssessment,
  "CN-FR-08.assessmentOutdated": { notInSample: "no seeded site changed materially after its assessment" },
  "CN-FR-09.noAlternative": (finding, world) =>
    editEntryPoint(world, finding.target.id, { alternatives: ["key_card"] }),
  "CN-FR-11.faceIsDefault": (finding, world) => editEntryPoint(world, finding.target.id, { faceIsDefault: false }),
  "CN-FR-12.publicPlaceWithoutBasis": { notInSample: "no seeded site or entry point is a public place" },
  "CN-FR-12.publicPlaceNoPurpose": { notInSample: "no seeded site or entry point is a public place" },
  "CN-FR-12.captureAreaNotLimited": { notInSample: "no seeded site or entry point is a public place" },
  "CN-FR-13.frInPrivateSpace": { notInSample: "the camera forms refuse face recognition in private spaces" },
  "CN-CAM-01.cameraInPrivateSpace": { notInSample: "the camera forms refuse cameras in private spaces" },
  "CN-CAM-02.signMissing": signCamera,
  "CN-CAM-02.cameraSignMissing": signCamera,
  "CN-FR-14.templateUnencrypted": { notInSample: "templates are sealed by the enrolment job" },
  "CN-FR-14.auditChainBroken": { notInSample: "a security incident, answered on the audit-chain page, not a form" },
  "CN-FR-15.filingOverdue": { notInSample: "the demo holds far fewer than 100,000 people" },
  "CN-FR-15.filingDue": { notInSample: "the demo holds far fewer than 100,000 people" },
  "CN-FR-15.filingApproaching": { notInSample: "the demo holds far fewer than 100,000 people" },
  "CN-PI-03.requestNotCompleted": {
    notInSample: "the seeded overdue requests are deletions: approving one runs the erasure, which completes it",
  },
  "CN-PI-03.templateKeptAfterWithdrawal": { notInSample: "withdrawal queues the deletion, which the sample runs" },
  "CN-PI-03.photosKeptAfterWithdrawal": { notInSample: "withdrawal queues the deletion, which the sample runs" },
  "CN-PI-06.refusalWithoutReason": { notInSample: "refusing a request requires its reason" },
  "CN-DSR-SLA.requestOverdue": answerRequest,
  "CN-SITE-01.regionChanged": { notInSample: "no seeded site moved region" },
};

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
const storage = temporaryStorage();
const worlds: { orgId: string; slug: string; api: Api; jobs: ReturnType<typeof recordingJobs> }[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  const { db } = testDb;
  await seedDemo(db);
  for (const org of await db.select().from(schema.organizations)) {
    const manager = await makePrincipal(db, { memberships: [[org.id, "manager"]] });
    const jobs = recordingJobs();
    worlds.push({ orgId: org.id, slug: org.slug, api: callerFor(db, manager, jobs, storage), jobs });
  }
  const huangpu = worlds.find((world) => world.slug === DEMO_RECOGNISED_PERSON.orgSlug);
  if (!huangpu) throw new Error("no demo organisation");
  const sites = await huangpu.api.sites.list({ orgId: huangpu.orgId });
  const siteNamed = (prefix: string) => {
    const site = sites.items.find((item) => item.name.startsWith(prefix));
    if (!site) throw new Error(`no site ${prefix}`);
    return site.id;
  };
  const people = (await huangpu.api.subjects.list({ orgId: huangpu.orgId, pageSize: 100 })).items;
  const person = (pseudonym: string) => people.find((item) => item.pseudonym === pseudonym)?.id as string;

  // The demo enrols its resident; the enrolment job stores his template centrally, as it does for everyone.
  const [resident] = await db
    .select()
    .from(schema.consents)
    .where(and(eq(schema.consents.orgId, huangpu.orgId), eq(schema.consents.subjectId, person("P-10100"))));
  if (!resident) throw new Error("no consent of the demo resident");
  await makeTemplates(
    db,
    { orgId: huangpu.orgId, subjectId: resident.subjectId, siteId: resident.siteId, consentId: resident.id },
    1,
  );

  // What the forms' own steps left: the consent form before it had a notice field ...
  const consent = (subjectId: string, siteId: string, separate: boolean) =>
    huangpu.api.subjects.giveConsent({
      orgId: huangpu.orgId,
      subjectId,
      siteId,
      purpose: "entry_verification",
      scopes: ["recognition"],
      method: "electronic",
      isSeparate: separate,
      isBundled: !separate,
      noticeId: null,
      evidenceSha256: null,
      guardianName: null,
      guardianRelation: null,
      givenAt: new Date(),
    });
  await consent(person("P-10002"), siteNamed("Pudong"), true);
  // ... the consent form with "Given separately" left unticked (and no notice) ...
  await consent(person("P-10003"), siteNamed("Xintiandi"), false);
  // ... and the entry-point form with face recognition ticked as the default.
  const [lounge] = await huangpu.api.entryPoints.list({ orgId: huangpu.orgId, siteId: siteNamed("Xintiandi") });
  if (!lounge) throw new Error("no entry point at Xintiandi");
  await huangpu.api.entryPoints.update({
    orgId: huangpu.orgId,
    entryPointId: lounge.id,
    name: lounge.name,
    purpose: lounge.purpose,
    necessityNote: lounge.necessityNote,
    faceRecognition: lounge.faceRecognition,
    faceIsDefault: true,
    isPublicPlace: lounge.isPublicPlace,
    alternatives: lounge.alternatives,
  });
}, 120_000);
afterAll(async () => {
  await testDb?.drop();
});

/** Every finding of every organisation, read as the compliance pages read them. */
async function findings() {
  const found: { finding: Finding; world: (typeof worlds)[number]; siteId: string | null }[] = [];
  for (const world of worlds) {
    const overview = await world.api.compliance.overview({ orgId: world.orgId });
    for (const finding of overview.findings) found.push({ finding, world, siteId: null });
    for (const site of overview.sites) {
      const report = await world.api.compliance.site({ orgId: world.orgId, siteId: site.siteId });
      for (const rule of report.rules)
        for (const finding of rule.findings) found.push({ finding, world, siteId: site.siteId });
    }
  }
  return found;
}

/** The jobs the procedures queued, run as the ops worker runs them, until none is left. */
function drainer(world: (typeof worlds)[number]) {
  return async () => {
    const { db } = testDb;
    while (world.jobs.erasures.length || world.jobs.deletions.length) {
      for (const requestId of world.jobs.erasures.splice(0)) await eraseSubjectForRequest({ db, storage, requestId });
      for (const job of world.jobs.deletions.splice(0)) await deleteWithdrawnTemplates({ db, job, storage });
    }
  };
}

describe("every finding of the sample sites", () => {
  it("has a resolution or says why the sample cannot raise it, for every code of the CN rules", () => {
    const cnCodes = FINDING_CODES.filter((code) => code.startsWith("CN-"));
    expect(Object.keys(RESOLUTIONS).sort()).toEqual([...cnCodes].sort());
  });

  it("is resolved through the procedures the UI's forms call, leaving no finding", async () => {
    const raised = new Set<string>();
    const unresolvable = new Map<string, string>();
    const key = (finding: Finding) => `${finding.code} ${finding.target.type} ${finding.target.id}`;
    // A resolution can raise another finding (approving a deletion leaves it approved until the
    // erasure runs): rounds go on until nothing more can be done.
    for (let round = 0; round < 5; round++) {
      const open = (await findings()).filter(({ finding }) => !unresolvable.has(key(finding)));
      if (open.length === 0) break;
      for (const { finding, world, siteId } of open) {
        raised.add(finding.code);
        const resolve = RESOLUTIONS[finding.code as CnCode];
        if (typeof resolve !== "function") {
          const why = resolve?.notInSample ?? "not a rule of the CN profile";
          throw new Error(`${finding.code} (${finding.target.label}) has no resolution here: ${why}`);
        }
        const target = { api: world.api, orgId: world.orgId, siteId: siteId ?? "", drainJobs: drainer(world) };
        await resolve(finding, target).catch((error: unknown) => {
          if (!(error instanceof Unresolvable)) throw error;
          unresolvable.set(key(finding), `${finding.code} (${finding.target.label}): ${error.message}`);
        });
      }
    }
    // What the demo visitor sees on the compliance pages, and what the forms now resolve.
    expect([...raised].sort()).toEqual([
      "CN-CAM-02.cameraSignMissing",
      "CN-CAM-02.signMissing",
      "CN-DSR-SLA.requestOverdue",
      "CN-FR-02.noNecessityNote",
      "CN-FR-03.consentWithoutNoticeVersion",
      "CN-FR-04.consentBundled",
      "CN-FR-06.centralWithoutTransferConsent",
      "CN-FR-08.assessmentMissing",
      "CN-FR-09.noAlternative",
      "CN-FR-11.faceIsDefault",
    ]);
    // Every resolution above is exercised by the sample, so none is dead code.
    const resolvable = Object.entries(RESOLUTIONS).filter(([, resolve]) => typeof resolve === "function");
    expect(resolvable.map(([code]) => code).sort()).toEqual([...raised].sort());

    const left = (await findings()).map(
      ({ finding }) => unresolvable.get(key(finding)) ?? `${finding.code} (${finding.target.label})`,
    );
    expect(left).toEqual([]);
  }, 180_000);
});
