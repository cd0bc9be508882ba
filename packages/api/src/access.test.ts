import type { OrgRole, Principal } from "@consentry/auth";
import { createNotifications } from "@consentry/core/notifications";
import { type Database, desc, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { TRPCError } from "@trpc/server";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root";
import {
  callerFor,
  databaseDigest,
  lastCodeSentTo,
  lastInvitationTokenSentTo,
  makeOrganization,
  makePrincipal,
  recognitionConsent,
  sharedTestMail,
  sharedTestPortal,
  unique,
} from "./testing";

/**
 * Who may call what, and on whose objects. Every procedure in the router must have a row here: a
 * new procedure without one fails this test, so nobody ships an endpoint whose access was never
 * decided. A row says who may call it (`access`, checked as every kind of caller with the caller's
 * own organisation's objects) and what happens when an allowed caller reaches for another tenant's
 * objects (`otherTenant`, below).
 */
type Access = "public" | "signed-in" | OrgRole | "regulator" | "admin";
type Input = (f: Fixture) => unknown;
/**
 * How a call for another tenant's object must be answered: as if the object did not exist.
 * NOT_FOUND, except where a form names the field ("not at this site", the same answer as for an
 * id that exists nowhere), and regulator trends, which answer an empty series for a site or
 * organisation outside the jurisdiction, as for one without snapshots; a CSV preview refuses the
 * rows that name another organisation's site ("unknown site").
 */
type Answer = "NOT_FOUND" | "BAD_REQUEST" | "empty" | "rowsRefused";
type Attempt = { answer: Answer; build: (own: Fixture, other: Fixture, input: Input) => unknown };
type Row = {
  access: Access;
  input?: Input;
  /**
   * Calls as a member of organisation A with the row's role (regulators: a regulator whose
   * jurisdiction holds A's site but not B's), naming A's organisation but B's objects. Each must
   * be refused with its answer and change nothing in the database. Procedures that take no object
   * id say so, with the reason.
   */
  otherTenant: Attempt[] | { none: string };
};
type Fixture = {
  orgId: string;
  siteId: string;
  siteCode: string;
  cameraId: string;
  entryPointId: string;
  noticeId: string;
  newCameraId: () => Promise<string>;
  /** Fresh rows for procedures that consume what they act on (delete, withdraw). */
  make: (
    kind:
      | "site"
      | "network"
      | "entryPoint"
      | "sign"
      | "signWithEvidence"
      | "subject"
      | "pseudonym"
      | "consentingSubject"
      | "consent"
      | "consentWithoutNotice"
      | "oldAssessment"
      | "assessmentWithDocument"
      | "eventWithSnapshot"
      | "notification"
      | "openRequest"
      | "unverifiedRequest"
      | "verifiedRequest"
      | "certifiedRequest"
      | "answeredAccessRequest"
      | "videoAccess"
      | "ssoConnection"
      | "member"
      | "deactivatedMember"
      | "invitation"
      | "invitationToken",
  ) => Promise<string>;
};

/** The row's own input, with these fields as the same input built for the other tenant has them. */
const theirs = (...fields: string[]): Attempt => ({
  answer: "NOT_FOUND",
  build: async (own, other, input) => {
    const mine = (await input(own)) as Record<string, unknown>;
    const foreign = (await input(other)) as Record<string, unknown>;
    return { ...mine, ...Object.fromEntries(fields.map((field) => [field, foreign[field]])) };
  },
});
/** An input built by hand from both tenants' fixtures. */
const mixed = (build: (own: Fixture, other: Fixture) => unknown): Attempt => ({
  answer: "NOT_FOUND",
  build: (own, other) => build(own, other),
});
const notAtSite = (attempt: Attempt): Attempt => ({ ...attempt, answer: "BAD_REQUEST" });
const empty = (attempt: Attempt): Attempt => ({ ...attempt, answer: "empty" });
const rowsRefused = (attempt: Attempt): Attempt => ({ ...attempt, answer: "rowsRefused" });
const none = (reason: string) => ({ none: reason });

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
  entryPointId: f.entryPointId,
  locationType: "entrance" as const,
  frEnabled: false,
  analysisFps: 5,
  rtspUrl: `rtsp://viewer:secret@10.20.0.1:554/${unique("cam")}`,
});
const csv = (f: Fixture) =>
  `name,site_code,entry_point,location_type,fr_enabled,analysis_fps,rtsp_url\n${unique("Cam")},${f.siteCode},,lobby,false,5,rtsp://10.20.0.2:554/${unique("cam")}\n`;
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
  entryPointIds: [f.entryPointId],
});
let networks = 0;
const network = () => ({ cidr: `172.16.${++networks}.0/24`, portFrom: null, portTo: null, note: null });
const exception = () => ({ cidr: `192.0.2.${++networks % 256}/32`, portFrom: null, portTo: null, reason: "Lab" });
const ssoSettings = () => ({
  issuer: "https://sso.invalid",
  clientIdentifier: "consentry",
  clientSecret: "matrix-secret",
  domains: [`${unique("sso")}.example.com`],
  roleClaim: "groups",
  roleMapping: [{ claimValue: "cctv", role: "operator" as const }],
  defaultRole: null,
  required: false,
  enabled: true,
});
const evidencePhoto = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } })
    .jpeg()
    .toBuffer();
const consent = (f: Fixture, subjectId: string) => ({
  ...recognitionConsent(subjectId, f.siteId),
  noticeId: f.noticeId,
});
const noticeText = {
  controller: "Test Property",
  purpose: "Entry",
  method: "Face matching",
  retention: "1 year",
  rights: "Refuse, withdraw, delete",
  contact: "privacy@example.cn",
};
/** An impact assessment recorded with its document (the smallest valid PDF). */
const assessmentUpload = (f: Fixture) => ({
  orgId: f.orgId,
  siteId: f.siteId,
  scope: "All gates",
  approver: "DPO",
  completedAt: new Date(),
  nextReviewAt: null,
  document: new TextEncoder().encode("%PDF-1.4\n%%EOF\n"),
  documentName: "pipia.pdf",
});
const assessment = (f: Fixture, completedAt: Date) => ({
  siteId: f.siteId,
  scope: "All gates",
  approver: "DPO",
  documentSha256: "a".repeat(64),
  completedAt,
  nextReviewAt: null,
});
const accessMatrix: Record<string, Row> = {
  "viewer.session": { access: "public", otherTenant: none("the caller's own session") },
  "viewer.me": { access: "signed-in", otherTenant: none("the caller's own session") },
  "sites.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "sites.byId": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "sites.create": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, ...site() }),
    otherTenant: none("creates in the caller's organisation"),
  },
  "sites.update": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId, ...site() }),
    otherTenant: [theirs("siteId")],
  },
  "sites.archive": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "sites.restore": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "cameras.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "notifications.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the caller's own notifications in the caller's organisation"),
  },
  "notifications.unreadCount": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("counts the caller's own notifications"),
  },
  "notifications.markRead": {
    access: "auditor",
    // A colleague's notification answers { marked: false }; another tenant's is not found.
    input: async (f) => ({ orgId: f.orgId, notificationId: await f.make("notification") }),
    otherTenant: [theirs("notificationId")],
  },
  "notifications.markAllRead": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("marks the caller's own notifications in the caller's organisation"),
  },
  "notifications.preferences": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the caller's own choices and the organisation's sites"),
  },
  "notifications.savePreference": {
    access: "auditor",
    input: (f) => ({
      orgId: f.orgId,
      kind: "camera_offline" as const,
      inApp: true,
      email: "daily" as const,
      siteId: f.siteId,
    }),
    otherTenant: [theirs("siteId")],
  },
  "attention.summary": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("summarises the caller's organisation"),
  },
  "compliance.overview": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the caller's organisation"),
  },
  "compliance.site": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "entryPoints.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "entryPoints.create": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, ...entryPoint(f) }),
    otherTenant: [theirs("siteId")],
  },
  "entryPoints.update": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      entryPointId: await f.make("entryPoint"),
      ...entryPoint(f),
      siteId: undefined,
    }),
    otherTenant: [theirs("entryPointId")],
  },
  "entryPoints.delete": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, entryPointId: await f.make("entryPoint") }),
    otherTenant: [theirs("entryPointId")],
  },
  "signs.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "signs.create": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, ...sign(f) }),
    otherTenant: [theirs("siteId"), notAtSite(theirs("cameraIds")), notAtSite(theirs("entryPointIds"))],
  },
  "signs.update": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign"), ...sign(f), siteId: undefined }),
    otherTenant: [theirs("signId"), notAtSite(theirs("cameraIds")), notAtSite(theirs("entryPointIds"))],
  },
  "signs.verify": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign") }),
    otherTenant: [theirs("signId")],
  },
  "signs.attachEvidence": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign"), photo: await evidencePhoto() }),
    otherTenant: [theirs("signId")],
  },
  "signs.evidence": {
    access: "auditor",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("signWithEvidence") }),
    otherTenant: [theirs("signId")],
  },
  "enrolments.list": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, subjectId: await f.make("subject") }),
    otherTenant: [theirs("subjectId")],
  },
  "enrolments.create": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      siteId: f.siteId,
      subjectId: await f.make("consentingSubject"),
      photos: [await evidencePhoto()],
    }),
    otherTenant: [theirs("subjectId"), theirs("siteId")],
  },
  "recognition.feed": {
    access: "operator",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "recognition.snapshot": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, eventId: Number(await f.make("eventWithSnapshot")) }),
    otherTenant: [theirs("eventId")],
  },
  "signs.delete": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, signId: await f.make("sign") }),
    otherTenant: [theirs("signId")],
  },
  "subjects.list": {
    access: "operator",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "subjects.create": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, displayName: "王小明", contact: null, isMinor: false, birthYear: 1990 }),
    otherTenant: none("creates in the caller's organisation"),
  },
  "subjects.get": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, subjectId: await f.make("subject") }),
    otherTenant: [theirs("subjectId")],
  },
  "subjects.update": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      subjectId: await f.make("subject"),
      displayName: "王小明",
      contact: null,
      isMinor: false,
      birthYear: 1991,
    }),
    otherTenant: [theirs("subjectId")],
  },
  "subjects.consents": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, subjectId: await f.make("subject") }),
    otherTenant: [theirs("subjectId")],
  },
  "subjects.giveConsent": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, ...consent(f, await f.make("subject")) }),
    otherTenant: [theirs("subjectId"), theirs("siteId"), notAtSite(theirs("noticeId"))],
  },
  "subjects.withdrawConsent": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, consentId: await f.make("consent"), reason: "Moved out" }),
    otherTenant: [theirs("consentId")],
  },
  "notices.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "notices.publish": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId, ...noticeText }),
    otherTenant: [theirs("siteId")],
  },
  "assessments.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "assessments.create": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, ...assessment(f, new Date()) }),
    otherTenant: [theirs("siteId")],
  },
  "assessments.upload": {
    access: "manager",
    input: (f) => assessmentUpload(f),
    otherTenant: [theirs("siteId")],
  },
  "assessments.document": {
    access: "auditor",
    input: async (f) => ({ orgId: f.orgId, assessmentId: await f.make("assessmentWithDocument") }),
    otherTenant: [theirs("assessmentId")],
  },
  "notices.confirm": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, consentId: await f.make("consentWithoutNotice"), noticeId: f.noticeId }),
    otherTenant: [theirs("consentId"), notAtSite(theirs("noticeId"))],
  },
  "assessments.delete": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, assessmentId: await f.make("oldAssessment") }),
    otherTenant: [theirs("assessmentId")],
  },
  "filings.status": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the caller's organisation"),
  },
  "filings.record": {
    access: "owner",
    input: (f) => ({
      orgId: f.orgId,
      thresholdReachedAt: null,
      filedAt: new Date(),
      authority: "Shanghai CAC",
      reference: unique("F"),
    }),
    otherTenant: none("records for the caller's organisation"),
  },
  "cameras.byId": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, cameraId: f.cameraId }),
    otherTenant: [theirs("cameraId")],
  },
  "cameras.placements": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "cameras.create": {
    access: "manager",
    input: camera,
    otherTenant: [theirs("siteId"), theirs("entryPointId")],
  },
  "cameras.update": {
    access: "manager",
    input: (f) => ({ ...camera(f), cameraId: f.cameraId }),
    otherTenant: [theirs("cameraId"), theirs("siteId"), theirs("entryPointId")],
  },
  "cameras.setEnabled": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, cameraId: f.cameraId, enabled: true }),
    otherTenant: [theirs("cameraId")],
  },
  "cameras.delete": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, cameraId: await f.newCameraId() }),
    otherTenant: [theirs("cameraId")],
  },
  "cameras.liveViewToken": {
    access: "operator",
    input: (f) => ({ orgId: f.orgId, cameraId: f.cameraId, reason: "maintenance" }),
    otherTenant: [theirs("cameraId")],
  },
  "profile.overview": { access: "signed-in", otherTenant: none("the caller's own account") },
  "profile.sessions": { access: "signed-in", otherTenant: none("the caller's own sessions, without tokens") },
  "profile.revokeSession": {
    access: "signed-in",
    input: () => ({ sessionId: "no-such-session" }),
    otherTenant: none(
      "only the caller's own sessions: another user's session id changes nothing and answers revoked: false, as one already ended",
    ),
  },
  "security.twoFactorPolicy": {
    access: "owner",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the rule and member counts of the caller's organisation"),
  },
  "security.setTwoFactorRequired": {
    access: "owner",
    // false: requiring it needs the owner's own two-factor and would stop the matrix's other members.
    input: (f) => ({ orgId: f.orgId, required: false }),
    otherTenant: none("sets the rule of the caller's organisation, named by orgId"),
  },
  "sso.get": {
    access: "owner",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the caller's organisation's settings"),
  },
  "sso.save": {
    access: "owner",
    input: (f) => ({ orgId: f.orgId, ...ssoSettings() }),
    otherTenant: none("saves the caller's organisation's settings"),
  },
  "sso.test": {
    access: "owner",
    input: async (f) => ({ orgId: await f.make("ssoConnection") }),
    otherTenant: none("tests the caller's organisation's connection"),
  },
  "sso.remove": {
    access: "owner",
    input: async (f) => ({ orgId: await f.make("ssoConnection") }),
    otherTenant: none("removes the caller's organisation's connection"),
  },
  "videoAccess.list": {
    access: "auditor",
    input: async (f) => ({
      orgId: f.orgId,
      cameraId: f.cameraId,
      reason: "maintenance",
      cursor: await f.make("videoAccess"),
    }),
    otherTenant: [theirs("cameraId"), theirs("cursor")],
  },
  "videoAccess.exportCsv": {
    access: "auditor",
    input: (f) => ({
      orgId: f.orgId,
      cameraId: f.cameraId,
      reason: "maintenance",
      from: new Date(Date.now() - 86_400_000),
    }),
    otherTenant: [theirs("cameraId")],
  },
  "cameras.exportCsv": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("exports the caller's organisation"),
  },
  "cameras.importPreview": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, csv: csv(f) }),
    otherTenant: [rowsRefused(theirs("csv"))],
  },
  "cameras.importCommit": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, csv: csv(f) }),
    otherTenant: [notAtSite(theirs("csv"))],
  },
  "requests.list": {
    access: "operator",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "requests.get": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
    otherTenant: [theirs("requestId")],
  },
  "requests.personCandidates": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest"), search: "P-" }),
    otherTenant: [theirs("requestId")],
  },
  "requests.previewApproval": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
    otherTenant: [theirs("requestId")],
  },
  "requests.contact": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
    otherTenant: [theirs("requestId")],
  },
  "requests.assignToMe": {
    access: "operator",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
    otherTenant: [theirs("requestId")],
  },
  "requests.linkSubject": {
    access: "operator",
    input: async (f) => ({
      orgId: f.orgId,
      requestId: await f.make("openRequest"),
      pseudonym: await f.make("pseudonym"),
      // The test person has no stored contact to compare with the requester's email.
      overrideReason: "Checked their ID card at the front desk.",
    }),
    otherTenant: [theirs("requestId"), theirs("pseudonym")],
  },
  "requests.approve": {
    access: "manager",
    input: async (f) => ({ orgId: f.orgId, requestId: await f.make("openRequest") }),
    otherTenant: [theirs("requestId")],
  },
  "requests.refuse": {
    access: "manager",
    input: async (f) => ({
      orgId: f.orgId,
      requestId: await f.make("openRequest"),
      reason: "Not a person this site knows.",
    }),
    otherTenant: [theirs("requestId")],
  },
  "portal.sites": {
    access: "public",
    input: () => ({ query: "Site" }),
    otherTenant: none("public: every active site is listed"),
  },
  "portal.submit": {
    access: "public",
    input: (f) => ({ siteId: f.siteId, type: "access", email: `${unique("subject")}@example.cn` }),
    otherTenant: none("public: anyone may ask any site"),
  },
  "portal.verify": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("unverifiedRequest")) as { requestId: string; code: string },
    otherTenant: none("public: the emailed code is the key"),
  },
  "portal.export": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("answeredAccessRequest")) as { reference: string; token: string },
    otherTenant: none("public: reference and token are the key"),
  },
  "portal.certificate": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("certifiedRequest")) as { reference: string; token: string },
    otherTenant: none("public: reference and token are the key"),
  },
  "portal.status": {
    access: "public",
    input: async (f) => JSON.parse(await f.make("verifiedRequest")) as { reference: string; token: string },
    otherTenant: none("public: reference and token are the key"),
  },
  "audit.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "audit.verifyChain": { access: "admin", otherTenant: none("platform administrators: the whole chain") },
  "auditLog.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, actor: "owner", action: "site." }),
    otherTenant: none("lists the caller's organisation; filters only narrow it"),
  },
  "auditLog.chainStatus": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the installation's latest chain verdict: ids and reasons, no content"),
  },
  "auditLog.exportCsv": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, from: new Date(Date.now() - 86_400_000) }),
    otherTenant: none("exports the caller's organisation; filters only narrow it"),
  },
  "audit.reanchor": {
    access: "admin",
    // One forged entry (appending needs no trigger switched off), closed by the administrator.
    input: async () => {
      forgedEntry ??= forgeAuditEntry();
      return { brokenAtId: await forgedEntry, reason: "Access matrix: forged entry." };
    },
    otherTenant: none("platform administrators: the whole chain"),
  },
  "regulator.overview": { access: "regulator", otherTenant: none("the whole jurisdiction") },
  "regulator.sites": { access: "regulator", otherTenant: none("the whole jurisdiction") },
  "regulator.site": { access: "regulator", input: (f) => ({ siteId: f.siteId }), otherTenant: [theirs("siteId")] },
  "regulator.trend": {
    access: "regulator",
    input: (f) => ({ days: 30, siteId: f.siteId }),
    otherTenant: [empty(theirs("siteId")), empty(mixed((_, other) => ({ days: 30, orgId: other.orgId })))],
  },
  "regulator.sitesCsv": { access: "regulator", otherTenant: none("the whole jurisdiction") },
  "regulator.organizationsCsv": { access: "regulator", otherTenant: none("the whole jurisdiction") },
  "admin.organizations": { access: "admin", otherTenant: none("platform administrators: every organisation") },
  "admin.createOrganization": {
    access: "admin",
    input: () => ({
      name: "New Org",
      slug: unique("org"),
      jurisdictionProfile: "CN",
      ownerEmail: `${unique("owner")}@test.consentry.local`.toLowerCase(),
      cameraNetworks: [{ cidr: "10.30.0.0/16", portFrom: null, portTo: null, note: null }],
    }),
    otherTenant: none("platform administrators: creates one"),
  },
  "members.list": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, role: null, status: null, page: 1, pageSize: 25 }),
    otherTenant: none("lists the caller's organisation"),
  },
  "members.invitations": {
    access: "manager",
    input: (f) => ({ orgId: f.orgId, page: 1, pageSize: 25 }),
    otherTenant: none("lists the caller's organisation"),
  },
  "members.firstSteps": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("the caller's organisation's checklist"),
  },
  "members.invite": {
    access: "owner",
    input: (f) => ({
      orgId: f.orgId,
      email: `${unique("invitee")}@test.consentry.local`.toLowerCase(),
      role: "operator",
    }),
    otherTenant: none("invites to the caller's organisation"),
  },
  "members.resendInvitation": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, invitationId: await f.make("invitation") }),
    otherTenant: [theirs("invitationId")],
  },
  "members.revokeInvitation": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, invitationId: await f.make("invitation") }),
    otherTenant: [theirs("invitationId")],
  },
  "members.changeRole": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, userId: await f.make("member"), role: "auditor" }),
    otherTenant: [theirs("userId")],
  },
  "members.deactivate": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, userId: await f.make("member") }),
    otherTenant: [theirs("userId")],
  },
  "members.reactivate": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, userId: await f.make("deactivatedMember") }),
    otherTenant: [theirs("userId")],
  },
  "members.remove": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, userId: await f.make("member") }),
    otherTenant: [theirs("userId")],
  },
  "members.invitation": {
    access: "public",
    input: async (f) => ({ token: await f.make("invitationToken") }),
    otherTenant: none("public: the link's token is the only key"),
  },
  "members.acceptAsNewUser": {
    access: "public",
    input: async (f) => ({
      token: await f.make("invitationToken"),
      name: "New Member",
      password: "a long enough passphrase 2026",
    }),
    otherTenant: none("public: the link's token is the only key"),
  },
  "members.accept": {
    access: "signed-in",
    // Every caller's address differs from the invited one: answered { joined: false, reason: "otherAddress" }.
    input: async (f) => ({ token: await f.make("invitationToken") }),
    otherTenant: none("the link's token is the only key; it must name the caller's own address"),
  },
  "sites.moveRegion": {
    access: "owner",
    input: async (f) => ({
      orgId: f.orgId,
      siteId: await f.make("site"),
      regionCode: "310104",
      reason: "Boundary change",
    }),
    otherTenant: [theirs("siteId")],
  },
  "sites.regionHistory": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "cameraNetworks.list": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId }),
    otherTenant: none("lists the caller's organisation"),
  },
  "cameraNetworks.add": {
    access: "owner",
    input: (f) => ({ orgId: f.orgId, ...network() }),
    otherTenant: none("adds to the caller's organisation"),
  },
  "cameraNetworks.remove": {
    access: "owner",
    input: async (f) => ({ orgId: f.orgId, networkId: await f.make("network") }),
    otherTenant: [theirs("networkId")],
  },
  "retention.site": {
    access: "auditor",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId }),
    otherTenant: [theirs("siteId")],
  },
  "retention.update": {
    access: "owner",
    input: (f) => ({ orgId: f.orgId, siteId: f.siteId, kind: "recognition_events" as const, days: 30 }),
    otherTenant: [theirs("siteId")],
  },
  "audit.anchors": { access: "regulator", otherTenant: none("the whole chain's anchors") },
  "regulator.regionMoves": { access: "regulator", otherTenant: none("the whole jurisdiction") },
  "admin.networkExceptions": { access: "admin", otherTenant: none("platform administrators: the installation") },
  "admin.addNetworkException": {
    access: "admin",
    input: exception,
    otherTenant: none("platform administrators: the installation"),
  },
  "admin.removeNetworkException": {
    access: "admin",
    input: async () => ({
      exceptionId: (await callerFor(testDb.db, principals.admin).admin.addNetworkException(exception())).id,
    }),
    otherTenant: none("platform administrators: the installation"),
  },
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

/** An organisation with one of everything, made through the API as its owner. */
async function makeWorld(db: Database, orgId: string, ownerPrincipal: Principal, regionCode: string) {
  const owner = callerFor(db, ownerPrincipal);
  const created = await owner.sites.create({ orgId, ...site(), regionCode });
  const world = { orgId, siteId: created.id, siteCode: created.code } as Fixture;
  const make: Fixture["make"] = async (kind) => {
    if (kind === "member" || kind === "deactivatedMember") {
      const member = await makePrincipal(db, { memberships: [[orgId, "operator"]] });
      if (kind === "deactivatedMember") await owner.members.deactivate({ orgId, userId: member.userId });
      return member.userId;
    }
    if (kind === "invitation" || kind === "invitationToken") {
      const email = `${unique("invitee")}@test.consentry.local`.toLowerCase();
      const { id } = await owner.members.invite({ orgId, email, role: "operator" });
      return kind === "invitation" ? id : lastInvitationTokenSentTo(sharedTestMail, email);
    }
    if (kind === "site") return (await owner.sites.create({ orgId, ...site(), regionCode })).id;
    if (kind === "network") return (await owner.cameraNetworks.add({ orgId, ...network() })).id;
    if (kind === "entryPoint") return (await owner.entryPoints.create({ orgId, ...entryPoint(world) })).id;
    if (kind === "sign") return (await owner.signs.create({ orgId, ...sign(world) })).id;
    if (kind === "signWithEvidence") {
      const signId = await make("sign");
      await owner.signs.attachEvidence({ orgId, signId, photo: await evidencePhoto() });
      return signId;
    }
    if (kind === "subject") {
      return (
        await owner.subjects.create({ orgId, displayName: "李雷", contact: null, isMinor: false, birthYear: null })
      ).id;
    }
    if (kind === "pseudonym") {
      return (
        await owner.subjects.create({ orgId, displayName: "韩梅梅", contact: null, isMinor: false, birthYear: null })
      ).pseudonym;
    }
    if (kind === "ssoConnection") {
      await owner.sso.save({ orgId, ...ssoSettings() });
      return orgId;
    }
    if (kind === "videoAccess") {
      // A register row, as opening live view writes it.
      await owner.cameras.liveViewToken({ orgId, cameraId: world.cameraId, reason: "maintenance" });
      const [row] = await db
        .select({ id: schema.videoAccess.id })
        .from(schema.videoAccess)
        .where(eq(schema.videoAccess.orgId, orgId))
        .orderBy(desc(schema.videoAccess.requestedAt))
        .limit(1);
      return (row as { id: string }).id;
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
      const { requestId } = await anonymous.portal.submit({ siteId: world.siteId, type: "access", email });
      const code = lastCodeSentTo(sharedTestPortal, email);
      if (kind === "unverifiedRequest") return JSON.stringify({ requestId, code });
      const verified = await anonymous.portal.verify({ requestId, code });
      if (kind === "openRequest") return requestId;
      return JSON.stringify({ reference: verified.reference, token: verified.token });
    }
    if (kind === "consentingSubject") {
      const subjectId = await make("subject");
      await owner.subjects.giveConsent({ orgId, ...consent(world, subjectId) });
      // Enrolment also needs the site's impact assessment (CN-FR-08).
      await owner.assessments.create({ orgId, ...assessment(world, new Date()) });
      return subjectId;
    }
    if (kind === "consent") {
      return (await owner.subjects.giveConsent({ orgId, ...consent(world, await make("subject")) })).id;
    }
    if (kind === "consentWithoutNotice") {
      const subjectId = await make("subject");
      return (await owner.subjects.giveConsent({ orgId, ...recognitionConsent(subjectId, world.siteId) })).id;
    }
    if (kind === "notification") {
      // A camera outage notifies every member (each role's default shows it in the bell): some member's id.
      const [row] = await createNotifications(db, {
        orgId,
        kind: "camera_offline",
        siteId: world.siteId,
        targetType: "camera",
        targetId: world.cameraId,
        params: { camera: "Gate", site: "Site", since: new Date().toISOString(), minutes: 5 },
        dedupeKey: `camera_offline:${unique("matrix")}`,
      });
      return (row as { id: string }).id;
    }
    if (kind === "eventWithSnapshot") {
      const [event] = await db
        .insert(schema.recognitionEvents)
        .values({
          orgId,
          siteId: world.siteId,
          cameraId: world.cameraId,
          subjectId: await make("subject"),
          at: new Date(),
          score: 0.8,
          snapshotPath: `event-snapshot/ab/${"ab".repeat(32)}.bin`,
        })
        .returning({ id: schema.recognitionEvents.id });
      return String(event?.id);
    }
    if (kind === "assessmentWithDocument") return (await owner.assessments.upload(assessmentUpload(world))).id;
    const fourYearsAgo = new Date(Date.now() - 4 * 365 * 86_400_000);
    return (await owner.assessments.create({ orgId, ...assessment(world, fourYearsAgo) })).id;
  };
  world.make = make;
  world.newCameraId = async () => (await owner.cameras.create(camera(world))).id;
  world.entryPointId = await make("entryPoint");
  world.noticeId = (await owner.notices.publish({ orgId, siteId: world.siteId, ...noticeText })).id;
  world.cameraId = await world.newCameraId();
  return world;
}

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let fixture: Fixture;
/** Organisation B, with the same kinds of objects as A, at a site outside the regulator's jurisdiction. */
let otherFixture: Fixture;
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
  fixture = await makeWorld(db, orgA.id, principals.owner as Principal, "310115");
  otherFixture = await makeWorld(db, orgB.id, principals.otherOrgOwner, "440305");
}, 60_000); // two organisations with one of everything, made through the API
afterAll(async () => {
  await testDb?.drop();
});

let forgedEntry: Promise<number> | undefined;
async function forgeAuditEntry() {
  const [row] = await testDb.db
    .insert(schema.auditLog)
    .values({
      at: new Date(),
      actorLabel: "forger",
      action: "forged",
      targetType: "t",
      details: {},
      prevHash: "x",
      hash: unique("forged"),
    })
    .returning({ id: schema.auditLog.id });
  return row?.id as number;
}

function procedureOf(principal: Principal | null, path: string) {
  const caller = callerFor(testDb.db, principal) as unknown as Record<string, unknown>;
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
}

describe("access matrix", () => {
  it("covers every procedure in the router, and nothing else", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(accessMatrix).sort());
  });

  const callers = ["anonymous", "admin", ...ORG_ROLES, "otherOrgOwner", "regulator"] as CallerName[];
  for (const [path, { access, input }] of Object.entries(accessMatrix)) {
    it(`${path} is open to ${access}`, async () => {
      for (const callerName of callers) {
        const outcome = await procedureOf(
          principals[callerName],
          path,
        )(await input?.(fixture)).then(
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

function answerOf(result: unknown): Answer | "succeeded" {
  if (Array.isArray(result) && result.length === 0) return "empty";
  const rows = (result as { rows?: { issues: unknown[] }[] } | null)?.rows;
  if (rows?.length && rows.every((row) => row.issues.length > 0)) return "rowsRefused";
  return "succeeded";
}
const ID_FIELD = /(Id|Ids|pseudonym|csv)$/;

describe("another tenant's objects", () => {
  it("every row says what another tenant's objects answer, or why it takes none", () => {
    const undecided = Object.entries(accessMatrix).filter(([, { otherTenant }]) =>
      Array.isArray(otherTenant) ? otherTenant.length === 0 : !otherTenant?.none,
    );
    expect(undecided.map(([path]) => path)).toEqual([]);
  });

  for (const [path, { access, input, otherTenant }] of Object.entries(accessMatrix)) {
    if ("none" in otherTenant) {
      // Only organisation and regulator procedures are scoped; public and admin ones are not.
      if (access === "public" || access === "signed-in" || access === "admin") continue;
      it(`${path} takes no object id (${otherTenant.none})`, async () => {
        const fields = Object.keys(((await input?.(fixture)) ?? {}) as object);
        expect(fields.filter((field) => ID_FIELD.test(field) && field !== "orgId")).toEqual([]);
      });
      continue;
    }
    it(`${path} answers as if another tenant's objects did not exist`, async () => {
      const principal = access === "regulator" ? principals.regulator : principals[access as OrgRole];
      for (const attempt of otherTenant) {
        const attemptInput = await attempt.build(fixture, otherFixture, input as Input);
        const before = await databaseDigest(testDb.db);
        const answer = await procedureOf(
          principal,
          path,
        )(attemptInput).then(answerOf, (error: unknown) => {
          if (error instanceof TRPCError) return error.code;
          throw new Error(`${path} failed unexpectedly: ${String(error)}`);
        });
        const after = await databaseDigest(testDb.db);
        const changed = after.filter((table) => !before.includes(table)).map((table) => table.split(":")[0]);
        expect({ path, attemptInput, answer, changed }).toEqual({
          path,
          attemptInput,
          answer: attempt.answer,
          changed: [],
        });
      }
    }, 30_000);
  }
});
