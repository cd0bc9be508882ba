import type { Principal } from "@consentry/auth";
import { type Database, eq, schema } from "@consentry/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";
import { type InputLeaf, inputLeaves } from "./input-leaves";
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
 * Hostile input against every tRPC procedure (issue #14, item 6), shared by fuzz.test.ts and the
 * fault suite (`npm run test:faults`): each string the input schema accepts gets a NUL byte or a
 * lone surrogate, each date one PostgreSQL cannot store. Every call must be refused as BAD_REQUEST
 * naming the field, never a 500, and no answer may carry SQL.
 */
export const TEXT_MUTANTS = (valid: unknown) => {
  const base = typeof valid === "string" ? valid : "x";
  return ["\u0000", "\ud800", `${base}\u0000`, `${base}\ud800`, `\udc00${base}`];
};
export const DATE_MUTANTS = [
  new Date("0000-01-01T00:00:00Z"),
  new Date("-100000-01-01T00:00:00Z"),
  new Date("+010000-01-01T00:00:00Z"),
  // Year 300000 is beyond what a JavaScript Date holds: it arrives as an invalid date.
  new Date("+300000-01-01T00:00:00Z"),
];

export type Fixture = {
  /** Owner, platform admin and regulator of the site's region: passes every gate. */
  everyone: Principal;
  api: ReturnType<typeof callerFor>;
  orgId: string;
  siteId: string;
  siteCode: string;
  cameraId: string;
  entryPointId: string;
  noticeId: string;
  subjectId: string;
  consentId: () => Promise<string>;
  requestId: () => Promise<string>;
  pseudonym: () => Promise<string>;
  statusKey: { reference: string; token: string };
  answeredKey: { reference: string; token: string };
  certifiedKey: { reference: string; token: string };
  unverified: { requestId: string; code: string };
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
  entryPointId: f.entryPointId,
  locationType: "entrance" as const,
  frEnabled: false,
  analysisFps: 5,
  rtspUrl: `rtsp://viewer:secret@10.20.0.1:554/${unique("cam")}`,
});
const entryPoint = (f: Fixture) => ({
  siteId: f.siteId,
  name: unique("Gate"),
  purpose: "entry_verification" as const,
  necessityNote: "Residents only",
  faceRecognition: true,
  faceIsDefault: false,
  isPublicPlace: false,
  captureAreaNote: "Gate lane only",
  alternatives: ["key_card" as const],
});
const sign = (f: Fixture) => ({
  siteId: f.siteId,
  location: "Main gate",
  text: "人脸识别区域 Face recognition in use",
  languages: ["zh-CN" as const],
  installedAt: new Date(),
  cameraIds: [f.cameraId],
  entryPointIds: [f.entryPointId],
});
const notice = {
  controller: "Test Property",
  purpose: "Entry",
  method: "Face matching",
  retention: "1 year",
  rights: "Refuse, withdraw, delete",
  contact: "privacy@example.cn",
};
let networks = 0;

/**
 * A valid input for each procedure that takes free text or a date. Procedures that take only ids
 * get them from the fixture by field name; a new procedure with text or dates needs a row here.
 */
export const samples: Record<string, (f: Fixture) => Promise<object> | object> = {
  "sites.list": (f) => ({ orgId: f.orgId, search: "Site" }),
  "sites.create": (f) => ({ orgId: f.orgId, ...site() }),
  "sites.update": (f) => ({ orgId: f.orgId, siteId: f.siteId, ...site() }),
  "sites.moveRegion": async (f) => ({
    orgId: f.orgId,
    siteId: (await f.api.sites.create({ orgId: f.orgId, ...site() })).id,
    regionCode: "310104",
    reason: "Boundary change",
  }),
  "cameras.list": (f) => ({ orgId: f.orgId, search: "Cam", siteId: f.siteId }),
  "cameras.create": camera,
  "cameras.update": (f) => ({ ...camera(f), cameraId: f.cameraId }),
  "cameras.importPreview": (f) => ({ orgId: f.orgId, csv: csv(f) }),
  "cameras.importCommit": (f) => ({ orgId: f.orgId, csv: csv(f) }),
  "cameraNetworks.add": (f) => ({ orgId: f.orgId, cidr: `172.16.${++networks}.0/24`, note: "Lobby" }),
  "entryPoints.create": (f) => ({ orgId: f.orgId, ...entryPoint(f) }),
  "entryPoints.update": (f) => ({ orgId: f.orgId, entryPointId: f.entryPointId, ...entryPoint(f), siteId: undefined }),
  "signs.create": (f) => ({ orgId: f.orgId, ...sign(f) }),
  "signs.update": async (f) => ({
    orgId: f.orgId,
    signId: (await f.api.signs.create({ orgId: f.orgId, ...sign(f) })).id,
    ...sign(f),
    siteId: undefined,
  }),
  "subjects.list": (f) => ({ orgId: f.orgId, search: "P" }),
  "subjects.create": (f) => ({
    orgId: f.orgId,
    displayName: "王小明",
    contact: "wang@example.cn",
    isMinor: false,
    birthYear: 1990,
  }),
  "subjects.update": (f) => ({
    orgId: f.orgId,
    subjectId: f.subjectId,
    displayName: "王小明",
    contact: "wang@example.cn",
    isMinor: false,
    birthYear: 1990,
  }),
  "subjects.giveConsent": (f) => ({
    orgId: f.orgId,
    ...recognitionConsent(f.subjectId, f.siteId),
    noticeId: f.noticeId,
    evidenceSha256: "b".repeat(64),
  }),
  "subjects.withdrawConsent": async (f) => ({ orgId: f.orgId, consentId: await f.consentId(), reason: "Moved out" }),
  "notices.publish": (f) => ({ orgId: f.orgId, siteId: f.siteId, ...notice }),
  "assessments.upload": (f) => ({
    orgId: f.orgId,
    siteId: f.siteId,
    scope: "All gates",
    approver: "DPO",
    completedAt: new Date(),
    nextReviewAt: new Date(Date.now() + 365 * 86_400_000),
    document: new TextEncoder().encode("%PDF-1.4\n%%EOF\n"),
    documentName: "pipia.pdf",
  }),
  "assessments.create": (f) => ({
    orgId: f.orgId,
    siteId: f.siteId,
    scope: "All gates",
    approver: "DPO",
    documentSha256: "a".repeat(64),
    completedAt: new Date(),
    nextReviewAt: new Date(Date.now() + 365 * 86_400_000),
  }),
  "filings.record": (f) => ({
    orgId: f.orgId,
    thresholdReachedAt: new Date(Date.now() - 86_400_000),
    filedAt: new Date(),
    authority: "Shanghai CAC",
    reference: unique("F"),
  }),
  "requests.linkSubject": async (f) => ({
    orgId: f.orgId,
    requestId: await f.requestId(),
    pseudonym: await f.pseudonym(),
    overrideReason: "Checked their ID card at the front desk.",
  }),
  "requests.personCandidates": async (f) => ({ orgId: f.orgId, requestId: await f.requestId(), search: "P-" }),
  "requests.refuse": async (f) => ({ orgId: f.orgId, requestId: await f.requestId(), reason: "Not a person here." }),
  "portal.sites": () => ({ query: "Site" }),
  "portal.submit": (f) => ({
    siteId: f.siteId,
    type: "access",
    email: `${unique("subject")}@example.cn`,
    phone: "+86 21 1234 5678",
    reference: "Flat 12",
    details: "Please send my records",
  }),
  "portal.verify": (f) => f.unverified,
  "portal.status": (f) => f.statusKey,
  "portal.export": (f) => f.answeredKey,
  "portal.certificate": (f) => f.certifiedKey,
  // Valid, but this chain has no break to close: refused after validation, as PRECONDITION_FAILED.
  "audit.reanchor": () => ({ brokenAtId: 1, reason: "Restored from backup, incident 42" }),
  "auditLog.list": (f) => ({
    orgId: f.orgId,
    actor: "owner@example.cn",
    action: "site.",
    targetType: "site",
    targetId: "site-1",
    from: new Date(Date.now() - 86_400_000),
    to: new Date(),
  }),
  "auditLog.exportCsv": (f) => ({
    orgId: f.orgId,
    actor: "owner@example.cn",
    action: "site.",
    targetType: "site",
    targetId: "site-1",
    from: new Date(Date.now() - 86_400_000),
    to: new Date(),
  }),
  "cameras.liveViewToken": (f) => ({ orgId: f.orgId, cameraId: f.cameraId, reason: "other", note: "Fire alarm" }),
  "videoAccess.list": (f) => ({
    orgId: f.orgId,
    cameraId: f.cameraId,
    camera: "Cam",
    viewer: "owner@example.cn",
    reason: "maintenance",
    from: new Date(Date.now() - 86_400_000),
    to: new Date(),
  }),
  "videoAccess.exportCsv": (f) => ({
    orgId: f.orgId,
    cameraId: f.cameraId,
    camera: "Cam",
    viewer: "owner@example.cn",
    reason: "maintenance",
    from: new Date(Date.now() - 86_400_000),
    to: new Date(),
  }),
  "admin.createOrganization": () => ({
    name: "New Org",
    slug: unique("org"),
    ownerEmail: `${unique("owner")}@test.consentry.local`.toLowerCase(),
    cameraNetworks: [{ cidr: `172.17.${++networks % 256}.0/24`, note: "Lobby" }],
  }),
  "members.invite": (f) => ({
    orgId: f.orgId,
    email: `${unique("invitee")}@test.consentry.local`.toLowerCase(),
    role: "operator",
  }),
  "members.changeRole": (f) => ({ orgId: f.orgId, userId: f.everyone.userId, role: "owner" }),
  "members.deactivate": (f) => ({ orgId: f.orgId, userId: f.everyone.userId }),
  "members.reactivate": (f) => ({ orgId: f.orgId, userId: f.everyone.userId }),
  "members.remove": (f) => ({ orgId: f.orgId, userId: f.everyone.userId }),
  "members.invitation": () => ({ token: "A".repeat(43) }),
  "members.acceptAsNewUser": () => ({
    token: "A".repeat(43),
    name: "New Member",
    password: "a long enough passphrase 2026",
  }),
  "members.accept": () => ({ token: "A".repeat(43) }),
  "profile.revokeSession": () => ({ sessionId: "no-such-session" }),
  "sso.save": (f) => ({
    orgId: f.orgId,
    issuer: "https://sso.invalid",
    clientIdentifier: "consentry",
    clientSecret: "fuzz-secret",
    domains: [`${unique("sso")}.example.com`.toLowerCase()],
    roleClaim: "groups",
    roleMapping: [{ claimValue: "cctv", role: "operator" }],
    defaultRole: null,
    required: false,
    enabled: true,
  }),
  "admin.addNetworkException": () => ({ cidr: `192.0.2.${++networks % 256}/32`, reason: "Lab" }),
};
/** Samples that pass validation but that the procedure then refuses, and how. */
export const AFTER_VALIDATION: Record<string, TRPCError["code"]> = {
  "audit.reanchor": "PRECONDITION_FAILED",
  // The fixture's caller is the organisation's only owner, and the sample token is nobody's.
  "members.deactivate": "UNPROCESSABLE_CONTENT",
  "members.remove": "UNPROCESSABLE_CONTENT",
  "members.reactivate": "PRECONDITION_FAILED",
  "members.acceptAsNewUser": "PRECONDITION_FAILED",
  "members.accept": "PRECONDITION_FAILED",
};
const csv = (f: Fixture) =>
  `name,site_code,entry_point,location_type,fr_enabled,analysis_fps,rtsp_url\n${unique("Cam")},${f.siteCode},,lobby,false,5,rtsp://10.20.0.2:554/${unique("cam")}\n`;

/** Ids a procedure takes, by field name, for procedures without a sample. */
const ids = (f: Fixture): Record<string, () => Promise<string> | string> => ({
  orgId: () => f.orgId,
  siteId: () => f.siteId,
  cameraId: () => f.cameraId,
  entryPointId: () => f.entryPointId,
  subjectId: () => f.subjectId,
  noticeId: () => f.noticeId,
  requestId: f.requestId,
  consentId: f.consentId,
  signId: () => crypto.randomUUID(),
  networkId: () => crypto.randomUUID(),
  exceptionId: () => crypto.randomUUID(),
  invitationId: () => crypto.randomUUID(),
  assessmentId: () => crypto.randomUUID(),
});

export function setAt(target: unknown, path: InputLeaf["path"], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (head === "[]") return [setAt(Array.isArray(target) ? target[0] : undefined, rest, value)];
  const object = (target ?? {}) as Record<string, unknown>;
  return { ...object, [head]: setAt(object[head], rest, value) };
}
export function getAt(target: unknown, path: InputLeaf["path"]): unknown {
  return path.reduce<unknown>(
    (node, key) => (key === "[]" ? (node as unknown[] | undefined)?.[0] : (node as Record<string, unknown>)?.[key]),
    target,
  );
}

/**
 * An organisation of `db` with one of everything the samples need, and a caller that passes every
 * gate, so each hostile value reaches the procedure's own validation. Touches no other organisation.
 */
export async function makeFixture(db: Database): Promise<Fixture> {
  const orgId = (await makeOrganization(db)).id;
  const everyone = await makePrincipal(db, {
    memberships: [[orgId, "owner"]],
    platformAdmin: true,
    jurisdictionCodes: ["310000"],
  });
  const api = callerFor(db, everyone);
  const created = await api.sites.create({ orgId, ...site() });
  const f = { everyone, api, orgId, siteId: created.id, siteCode: created.code } as Fixture;
  f.entryPointId = (await api.entryPoints.create({ orgId, ...entryPoint(f) })).id;
  f.cameraId = (await api.cameras.create(camera(f))).id;
  f.noticeId = (await api.notices.publish({ orgId, siteId: f.siteId, ...notice })).id;
  const subject = () =>
    api.subjects.create({ orgId, displayName: "李雷", contact: null, isMinor: false, birthYear: null });
  f.subjectId = (await subject()).id;
  f.pseudonym = async () => (await subject()).pseudonym;
  f.consentId = async () =>
    (await api.subjects.giveConsent({ orgId, ...recognitionConsent((await subject()).id, f.siteId) })).id;
  const portal = callerFor(db, null);
  const submitted = async () => {
    const email = `${unique("subject")}@example.cn`;
    const { requestId } = await portal.portal.submit({ siteId: f.siteId, type: "access", email });
    return { requestId, code: lastCodeSentTo(sharedTestPortal, email) };
  };
  f.unverified = await submitted();
  f.requestId = async () => {
    const request = await submitted();
    await portal.portal.verify(request);
    return request.requestId;
  };
  const verifiedKey = async () => {
    const { reference, token } = await portal.portal.verify(await submitted());
    return { reference, token };
  };
  f.statusKey = await verifiedKey();
  f.answeredKey = await verifiedKey();
  f.certifiedKey = await verifiedKey();
  await db
    .update(schema.dsrRequests)
    .set({ status: "completed", closedAt: new Date() })
    .where(eq(schema.dsrRequests.referenceCode, f.answeredKey.reference));
  await db
    .update(schema.dsrRequests)
    .set({ certificate: { test: true }, certificateSha256: "a".repeat(64), status: "completed" })
    .where(eq(schema.dsrRequests.referenceCode, f.certifiedKey.reference));
  return f;
}

type Procedure = { _def: { inputs: Parameters<typeof inputLeaves>[0][]; type: string } };
export const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);
export const leavesOf = (procedure: Procedure) => procedure._def.inputs.flatMap((schema) => inputLeaves(schema));

/** A valid input for the procedure: its sample, or the fixture's ids by field name. */
export async function validInput(f: Fixture, path: string): Promise<object> {
  const sample = samples[path];
  if (sample) return sample(f);
  const procedure = procedures.find(([name]) => name === path)?.[1];
  let input: unknown = {};
  for (const leaf of procedure ? leavesOf(procedure) : []) {
    const id = ids(f)[String(leaf.path.at(-1))];
    if (id) input = setAt(input, leaf.path, await id());
  }
  return input as object;
}

/** Calls a procedure by its path ("sites.create") through the real router, as the fixture's caller. */
export function call(db: Database, f: Fixture, path: string, input: unknown): Promise<unknown> {
  const caller = callerFor(db, f.everyone) as unknown as Record<string, unknown>;
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (procedure as (input: unknown) => Promise<unknown>)(input);
}

export const SQL_IN_MESSAGE = ["Failed query", "select ", "insert ", "update ", "params:"];

export type HostileOutcome = {
  /** "<procedure> <field path>=<value>" */
  where: string;
  status: number;
  message: string;
  /** The refusal names the field, so a form can show the problem beside it. */
  namesField: boolean;
  /** The message carries SQL or query parameters. */
  leaked: boolean;
};

/**
 * Every procedure, every string and date leaf: the leaf gets each mutant, the rest of the input
 * is the valid sample, so the hostile value would reach the database if validation let it
 * through. Returns every call's outcome; callers decide what counts as a failure.
 */
export async function sendHostileInput(db: Database, f: Fixture): Promise<HostileOutcome[]> {
  const outcomes: HostileOutcome[] = [];
  for (const [path, procedure] of procedures) {
    for (const leaf of leavesOf(procedure)) {
      const mutants = leaf.kind === "date" ? DATE_MUTANTS : TEXT_MUTANTS(getAt(await validInput(f, path), leaf.path));
      for (const mutant of mutants) {
        const input = setAt(await validInput(f, path), leaf.path, mutant);
        const outcome = await call(db, f, path, input).then(
          () => ({ status: 200, message: "", fields: [] as string[] }),
          (error: unknown) =>
            error instanceof TRPCError
              ? {
                  status: getHTTPStatusCodeFromError(error),
                  message: error.message,
                  fields: error.cause instanceof ZodError ? error.cause.issues.map((i) => String(i.path[0])) : [],
                }
              : { status: 500, message: String(error), fields: [] },
        );
        const shown = typeof mutant === "string" ? JSON.stringify(mutant) : String(mutant);
        outcomes.push({
          where: `${path} ${leaf.path.join(".")}=${shown}`,
          status: outcome.status,
          message: outcome.message.slice(0, 200),
          namesField: outcome.fields.includes(String(leaf.path[0])),
          leaked: SQL_IN_MESSAGE.some((fragment) => outcome.message.includes(fragment)),
        });
      }
    }
  }
  return outcomes;
}
