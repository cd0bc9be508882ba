import type { OrgRole, Principal } from "@consentry/auth";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { TRPCError } from "@trpc/server";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root";
import {
  callerFor,
  lastCodeSentTo,
  makeOrganization,
  makePrincipal,
  recognitionConsent,
  sharedTestPortal,
  unique,
} from "./testing";

/**
 * Who may call what. Every procedure in the router must have a row here: a new procedure
 * without one fails this test, so nobody ships an endpoint whose access was never decided.
 */
type Access = "public" | "signed-in" | OrgRole | "regulator" | "admin";
type Fixture = {
  orgId: string;
  siteId: string;
  siteCode: string;
  cameraId: string;
  newCameraId: () => Promise<string>;
  /** Fresh rows for procedures that consume what they act on (delete, withdraw). */
  make: (
    kind:
      | "entryPoint"
      | "sign"
      | "signWithEvidence"
      | "subject"
      | "pseudonym"
      | "consentingSubject"
      | "consent"
      | "oldAssessment"
      | "openRequest"
      | "unverifiedRequest"
      | "verifiedRequest"
      | "certifiedRequest"
      | "answeredAccessRequest",
  ) => Promise<string>;
};
const site = () => ({
  name: unique("Site"),
  address: "1 Century Avenue",
  regionCode: "310115",
  kind: "office" as const,
  templateRetentionDays: 365,
});
const camera = (f: Fixture) => ({
  orgId: f.orgId,
  name: unique("Cam"),
  siteId: f.siteId,
  entryPointId: null,
  locationType: "entrance" as const,
  frEnabled: false,
  analysisFps: 5,
  rtspUrl: "rtsp://viewer:secret@127.0.0.1:8554/cam1",
});
const csv = (f: Fixture) =>
  `name,site_code,entry_point,location_type,fr_enabled,analysis_fps,rtsp_url\n${unique("Cam")},${f.siteCode},,lobby,false,5,rtsp://127.0.0.1:8554/cam2\n`;
const entryPoint = (f: Fixture) => ({
  siteId: f.siteId,
  name: unique("Gate"),
  purpose: "entry_verification" as const,
  necessityNote: "Residents only",
  faceRecognition: true,
  faceIsDefault: false,
  isPublicPlace: false,
  alternatives: ["key_card" as const],
});
const sign = (f: Fixture) => ({
  siteId: f.siteId,
  location: "Main gate",
  text: "人脸识别区域 Face recognition in use",
  languages: ["zh-CN" as const, "en" as const],
  installedAt: new Date(),
  cameraIds: [f.cameraId],
  entryPointIds: [],
});
const evidencePhoto = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } })
    .jpeg()
    .toBuffer();
const consent = (f: Fixture, subjectId: string) => recognitionConsent(subjectId, f.siteId);
const noticeText = {
  controller: "Test Property",
  purpose: "Entry",
  method: "Face matching",
  retention: "1 year",
  rights: "Refuse, withdraw, delete",
  contact: "privacy@example.cn",
};
const assessment = (f: Fixture, completedAt: Date) => ({
  siteId: f.siteId,
  scope: "All gates",
  approver: "DPO",
  documentSha256: "a".repeat(64),
  completedAt,
  nextReviewAt: null,
});
const accessMatrix: Record<string, { access: Access; input?: (f: Fixture) => unknown }> = {
  "viewer.session": { access: "public" },
  "viewer.me": { access: "signed-in" },
  "sites.list": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "sites.byId": { access: "auditor", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "sites.create": { access: "manager", input: (f) => ({ orgId: f.orgId, ...site() }) },
  "sites.update": { access: "manager", input: (f) => ({ orgId: f.orgId, siteId: f.siteId, ...site() }) },
  "sites.archive": { access: "manager", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "sites.restore": { access: "manager", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "cameras.list": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "compliance.overview": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "compliance.site": { access: "auditor", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "entryPoints.list": { access: "auditor", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "entryPoints.create": { access: "manager", input: (f) => ({ orgId: f.orgId, ...entryPoint(f) }) },
  "entryPoints.update": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      entryPointId: await f.make("entryPoint"),
      ...entryPoint(f),
      siteId: undefined,
    }),
  },
  "entryPoints.delete": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, entryPointId: await f.make("entryPoint") }),
  },
  "signs.list": { access: "auditor", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "signs.create": { access: "manager", input: (f) => ({ orgId: f.orgId, ...sign(f) }) },
  "signs.update": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign"), ...sign(f), siteId: undefined }),
  },
  "signs.verify": { access: "operator", input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign") }) },
  "signs.attachEvidence": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign"), photo: await evidencePhoto() }),
  },
  "signs.evidence": {
    access: "auditor",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("signWithEvidence") }),
  },
  "enrolments.list": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, subjectId: await f.make("subject") }),
  },
  "enrolments.create": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      siteId: f.siteId,
      subjectId: await f.make("consentingSubject"),
      photos: [await evidencePhoto()],
    }),
  },
  "recognition.feed": { access: "operator", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "signs.delete": { access: "manager", input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign") }) },
  "subjects.list": { access: "operator", input: (f) => ({ orgId: f.orgId }) },
  "subjects.create": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, displayName: "王小明", contact: null, isMinor: false, birthYear: 1990 }),
  },
  "subjects.consents": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, subjectId: await f.make("subject") }),
  },
  "subjects.giveConsent": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, ...consent(f, await f.make("subject")) }),
  },
  "subjects.withdrawConsent": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, consentId: await f.make("consent"), reason: "Moved out" }),
  },
  "notices.list": { access: "auditor", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "notices.publish": { access: "manager", input: (f) => ({ orgId: f.orgId, siteId: f.siteId, ...noticeText }) },
  "assessments.list": { access: "auditor", input: (f) => ({ orgId: f.orgId, siteId: f.siteId }) },
  "assessments.create": { access: "manager", input: (f) => ({ orgId: f.orgId, ...assessment(f, new Date()) }) },
  "assessments.delete": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, assessmentId: await f.make("oldAssessment") }),
  },
  "filings.status": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "filings.record": {
    access: "owner",
    input: (f) => ({
      orgId: f.orgId,
      thresholdReachedAt: null,
      filedAt: new Date(),
      authority: "Shanghai CAC",
      reference: unique("F"),
    }),
  },
  "cameras.byId": { access: "auditor", input: (f) => ({ orgId: f.orgId, cameraId: f.cameraId }) },
  "cameras.placements": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "cameras.create": { access: "manager", input: camera },
  "cameras.update": { access: "manager", input: (f) => ({ ...camera(f), cameraId: f.cameraId }) },
  "cameras.setEnabled": { access: "manager", input: (f) => ({ orgId: f.orgId, cameraId: f.cameraId, enabled: true }) },
  "cameras.delete": { access: "manager", input: async (f) => ({ orgId: f.orgId, cameraId: await f.newCameraId() }) },
  "cameras.liveViewToken": { access: "operator", input: (f) => ({ orgId: f.orgId, cameraId: f.cameraId }) },
  "cameras.exportCsv": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "cameras.importPreview": { access: "manager", input: (f) => ({ orgId: f.orgId, csv: csv(f) }) },
  "cameras.importCommit": { access: "manager", input: (f) => ({ orgId: f.orgId, csv: csv(f) }) },
  "requests.list": { access: "operator", input: (f) => ({ orgId: f.orgId }) },
  "requests.contact": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
  },
  "requests.assignToMe": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
  },
  "requests.linkSubject": {
    access: "operator",
    input: async (f) => ({
      orgId: f.orgId,
      requestId: await f.make("openRequest"),
      pseudonym: await f.make("pseudonym"),
    }),
  },
  "requests.approve": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
  },
  "requests.refuse": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      requestId: await f.make("openRequest"),
      reason: "Not a person this site knows.",
    }),
  },
  "portal.sites": { access: "public", input: () => ({ query: "Site" }) },
  "portal.submit": {
    access: "public",
    input: (f) => ({ siteId: f.siteId, type: "access", email: `${unique("subject")}@example.cn` }),
  },
  "portal.verify": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("unverifiedRequest")) as { requestId: string; code: string },
  },
  "portal.export": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("answeredAccessRequest")) as { reference: string; token: string },
  },
  "portal.certificate": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("certifiedRequest")) as { reference: string; token: string },
  },
  "portal.status": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("verifiedRequest")) as { reference: string; token: string },
  },
  "audit.list": { access: "auditor", input: (f) => ({ orgId: f.orgId }) },
  "audit.verifyChain": { access: "admin" },
  "regulator.overview": { access: "regulator" },
  "regulator.sites": { access: "regulator" },
  "regulator.site": { access: "regulator", input: (f) => ({ siteId: f.siteId }) },
  "regulator.trend": { access: "regulator", input: () => ({ days: 30 }) },
  "regulator.sitesCsv": { access: "regulator" },
  "regulator.organizationsCsv": { access: "regulator" },
  "admin.organizations": { access: "admin" },
  "admin.createOrganization": { access: "admin", input: () => ({ name: "New Org", slug: unique("org") }) },
};

type CallerName = "anonymous" | "admin" | OrgRole | "otherOrgOwner" | "regulator";
const ORG_ROLES: OrgRole[] = ["owner", "manager", "operator", "auditor"];

function expectedAllowed(caller: CallerName, access: Access): boolean {
  if (access === "public") return true;
  if (caller === "anonymous") return false;
  if (access === "signed-in") return true;
  if (access === "admin") return caller === "admin";
  if (access === "regulator") return caller === "regulator";
  return ORG_ROLES.includes(caller as OrgRole) && ORG_ROLES.indexOf(caller as OrgRole) <= ORG_ROLES.indexOf(access);
}

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let fixture: Fixture;
const principals = {} as Record<CallerName, Principal | null>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const { db } = testDb;
  const orgA = await makeOrganization(db);
  const orgB = await makeOrganization(db);
  principals.anonymous = null;
  principals.admin = await makePrincipal(db, { platformAdmin: true });
  for (const role of ORG_ROLES) principals[role] = await makePrincipal(db, { memberships: [[orgA.id, role]] });
  principals.otherOrgOwner = await makePrincipal(db, { memberships: [[orgB.id, "owner"]] });
  principals.regulator = await makePrincipal(db, { jurisdictionCodes: ["310000"] });
  const owner = callerFor(db, principals.owner);
  const created = await owner.sites.create({ orgId: orgA.id, ...site() });
  const partial = { orgId: orgA.id, siteId: created.id, siteCode: created.code };
  const make: Fixture["make"] = async (kind) => {
    if (kind === "entryPoint") return (await owner.entryPoints.create({ orgId: orgA.id, ...entryPoint(fixture) })).id;
    if (kind === "sign") return (await owner.signs.create({ orgId: orgA.id, ...sign(fixture) })).id;
    if (kind === "signWithEvidence") {
      const signId = await make("sign");
      await owner.signs.attachEvidence({ orgId: orgA.id, signId, photo: await evidencePhoto() });
      return signId;
    }
    if (kind === "subject") {
      return (
        await owner.subjects.create({
          orgId: orgA.id,
          displayName: "李雷",
          contact: null,
          isMinor: false,
          birthYear: null,
        })
      ).id;
    }
    if (kind === "pseudonym") {
      return (
        await owner.subjects.create({
          orgId: orgA.id,
          displayName: "韩梅梅",
          contact: null,
          isMinor: false,
          birthYear: null,
        })
      ).pseudonym;
    }
    if (kind === "answeredAccessRequest") {
      const verified = JSON.parse(await make("verifiedRequest")) as { reference: string; token: string };
      await db
        .update(schema.dsrRequests)
        .set({ status: "completed", closedAt: new Date() })
        .where(eq(schema.dsrRequests.referenceCode, verified.reference));
      return JSON.stringify(verified);
    }
    if (kind === "certifiedRequest") {
      const verified = JSON.parse(await make("verifiedRequest")) as { reference: string; token: string };
      await db
        .update(schema.dsrRequests)
        .set({ certificate: { test: true }, certificateSha256: "a".repeat(64), status: "completed" })
        .where(eq(schema.dsrRequests.referenceCode, verified.reference));
      return JSON.stringify(verified);
    }
    if (kind === "unverifiedRequest" || kind === "verifiedRequest" || kind === "openRequest") {
      const email = `${unique("subject")}@example.cn`;
      const anonymous = callerFor(db, null);
      const { requestId } = await anonymous.portal.submit({ siteId: fixture.siteId, type: "access", email });
      const code = lastCodeSentTo(sharedTestPortal, email);
      if (kind === "unverifiedRequest") return JSON.stringify({ requestId, code });
      const verified = await anonymous.portal.verify({ requestId, code });
      if (kind === "openRequest") return requestId;
      return JSON.stringify({ reference: verified.reference, token: verified.token });
    }
    if (kind === "consentingSubject") {
      const subjectId = await make("subject");
      await owner.subjects.giveConsent({ orgId: orgA.id, ...consent(fixture, subjectId) });
      // Enrolment also needs the site's impact assessment (CN-FR-08).
      await owner.assessments.create({ orgId: orgA.id, ...assessment(fixture, new Date()) });
      return subjectId;
    }
    if (kind === "consent") {
      return (await owner.subjects.giveConsent({ orgId: orgA.id, ...consent(fixture, await make("subject")) })).id;
    }
    const fourYearsAgo = new Date(Date.now() - 4 * 365 * 86_400_000);
    return (await owner.assessments.create({ orgId: orgA.id, ...assessment(fixture, fourYearsAgo) })).id;
  };
  const newCameraId = async () => (await owner.cameras.create(camera(fixture))).id;
  fixture = { ...partial, cameraId: "", newCameraId, make };
  fixture.cameraId = await newCameraId();
});
afterAll(async () => {
  await testDb?.drop();
});

describe("access matrix", () => {
  it("covers every procedure in the router, and nothing else", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(accessMatrix).sort());
  });

  const callers = ["anonymous", "admin", ...ORG_ROLES, "otherOrgOwner", "regulator"] as CallerName[];
  for (const [path, { access, input }] of Object.entries(accessMatrix)) {
    it(`${path} is open to ${access}`, async () => {
      for (const callerName of callers) {
        const caller = callerFor(testDb.db, principals[callerName]) as unknown as Record<string, unknown>;
        const procedure = path
          .split(".")
          .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
        const outcome = await (procedure as (i: unknown) => Promise<unknown>)(await input?.(fixture)).then(
          () => "allowed",
          (error: unknown) => {
            if (error instanceof TRPCError && (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN")) {
              return "denied";
            }
            throw new Error(`${path} as ${callerName} failed unexpectedly: ${String(error)}`);
          },
        );
        expect({ path, callerName, outcome }).toEqual({
          path,
          callerName,
          outcome: expectedAllowed(callerName, access) ? "allowed" : "denied",
        });
      }
    });
  }
});
