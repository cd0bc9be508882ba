import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { OrgRole, Principal } from "@consentry/auth";
import type { createTestDatabase } from "@consentry/db/testing";
import { NextRequest } from "next/server";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The route modules import "server-only", which throws anywhere but in React Server Components
// (a build-time guard); it is the one thing that cannot run here.
vi.mock("server-only", () => ({}));

/**
 * Every route handler under src/app/api and src/app/admin, called with a real Request carrying a
 * real Better Auth session, on a test database. Each one that takes an object id answers 404 for
 * another organisation's object (a regulator's: a site or organisation outside the jurisdiction)
 * and changes nothing; /admin/queues is 404 for everyone but platform administrators. A route
 * file without a row here fails the test.
 */
type Caller = "anonymous" | "admin" | OrgRole | "regulator";
type World = {
  orgId: string;
  siteId: string;
  signId: string;
  assessmentId: string;
  subjectId: string;
  consentId: string;
  /** A recognition event with a snapshot. */
  eventId: number;
  status: StatusLink;
};
type StatusLink = { reference: string; token: string };
type Attempt = {
  as: Caller;
  method: "GET" | "POST";
  /** Path and query, and the dynamic segments' values. */
  url: (own: World, other: World) => string;
  params?: (own: World, other: World) => Record<string, string | string[]>;
  body?: (own: World, other: World) => Promise<FormData | string>;
  status: number;
};
type RouteRow = { attempts: Attempt[] } | { none: string };

const photoForm = async (fields: Record<string, string>, name: string) => {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a3" } })
    .jpeg()
    .toBuffer();
  form.append(name, new File([new Uint8Array(jpeg)], "photo.jpg", { type: "image/jpeg" }));
  return form;
};

/** An impact assessment's fields and its document (a PDF), as the site page's form sends them. */
const assessmentForm = async (siteId: string) => {
  const form = new FormData();
  for (const [key, value] of Object.entries({ siteId, scope: "All gates", approver: "DPO", completedAt: "2026-01-05" }))
    form.set(key, value);
  form.append("document", new File([new TextEncoder().encode("%PDF-1.4\n%%EOF\n")], "pipia.pdf"));
  return form;
};

const routes: Record<string, RouteRow> = {
  "api/auth/[...all]": { none: "Better Auth: the caller's own session" },
  "api/health": { none: "no object id" },
  "api/metrics": { none: "counts only, behind its bearer token" },
  // Every procedure has its rows in packages/api/src/access.test.ts; this one shows the HTTP answer.
  "api/trpc/[trpc]": {
    attempts: [
      {
        as: "operator",
        method: "POST",
        url: () => "/api/trpc/subjects.withdrawConsent",
        params: () => ({ trpc: "subjects.withdrawConsent" }),
        body: async (own, other) =>
          JSON.stringify({ json: { orgId: own.orgId, consentId: other.consentId, reason: "Moved out" } }),
        status: 404,
      },
    ],
  },
  "api/signs/[signId]/evidence": {
    attempts: [
      {
        as: "auditor",
        method: "GET",
        url: (own) => `/api/signs/x/evidence?orgId=${own.orgId}`,
        params: (_, other) => ({ signId: other.signId }),
        status: 404,
      },
      {
        as: "operator",
        method: "POST",
        url: (own) => `/api/signs/x/evidence?orgId=${own.orgId}`,
        params: (_, other) => ({ signId: other.signId }),
        body: () => photoForm({}, "photo"),
        status: 404,
      },
      // The control: the caller's own sign's photo is served.
      {
        as: "auditor",
        method: "GET",
        url: (own) => `/api/signs/x/evidence?orgId=${own.orgId}`,
        params: (own) => ({ signId: own.signId }),
        status: 200,
      },
    ],
  },
  "api/assessments": {
    attempts: [
      {
        as: "manager",
        method: "POST",
        url: (own) => `/api/assessments?orgId=${own.orgId}`,
        body: (_, other) => assessmentForm(other.siteId),
        status: 404,
      },
      // The control: an assessment of the caller's own site is recorded with its document.
      {
        as: "manager",
        method: "POST",
        url: (own) => `/api/assessments?orgId=${own.orgId}`,
        body: (own) => assessmentForm(own.siteId),
        status: 200,
      },
    ],
  },
  "api/assessments/[assessmentId]/document": {
    attempts: [
      {
        as: "auditor",
        method: "GET",
        url: (own) => `/api/assessments/x/document?orgId=${own.orgId}`,
        params: (_, other) => ({ assessmentId: other.assessmentId }),
        status: 404,
      },
      // The control: the caller's own assessment's document is served.
      {
        as: "auditor",
        method: "GET",
        url: (own) => `/api/assessments/x/document?orgId=${own.orgId}`,
        params: (own) => ({ assessmentId: own.assessmentId }),
        status: 200,
      },
    ],
  },
  "api/people/[subjectId]/enrolments": {
    attempts: [
      {
        as: "manager",
        method: "POST",
        url: (own) => `/api/people/x/enrolments?orgId=${own.orgId}`,
        params: (_, other) => ({ subjectId: other.subjectId }),
        body: (own) => photoForm({ siteId: own.siteId }, "photos"),
        status: 404,
      },
      {
        as: "manager",
        method: "POST",
        url: (own) => `/api/people/x/enrolments?orgId=${own.orgId}`,
        params: (own) => ({ subjectId: own.subjectId }),
        body: (_, other) => photoForm({ siteId: other.siteId }, "photos"),
        status: 404,
      },
    ],
  },
  // The portal is public: a request's reference with another request's status link is unknown.
  "api/portal/certificate": {
    attempts: [
      {
        as: "anonymous",
        method: "GET",
        url: (own, other) => `/api/portal/certificate?reference=${other.status.reference}&token=${own.status.token}`,
        status: 404,
      },
    ],
  },
  "api/portal/export": {
    attempts: [
      {
        as: "anonymous",
        method: "GET",
        url: (own, other) => `/api/portal/export?reference=${other.status.reference}&token=${own.status.token}`,
        status: 404,
      },
    ],
  },
  "api/regulator/report": {
    attempts: [
      {
        as: "regulator",
        method: "GET",
        url: (_, other) => `/api/regulator/report?scope=site&id=${other.siteId}`,
        status: 404,
      },
      {
        as: "regulator",
        method: "GET",
        url: (_, other) => `/api/regulator/report?scope=organization&id=${other.orgId}`,
        status: 404,
      },
      // The control: a site of the jurisdiction gets its report.
      {
        as: "regulator",
        method: "GET",
        url: (own) => `/api/regulator/report?scope=site&id=${own.siteId}`,
        status: 200,
      },
    ],
  },
  "api/recognition/[eventId]/snapshot": {
    attempts: [
      {
        as: "operator",
        method: "GET",
        url: (own) => `/api/recognition/x/snapshot?orgId=${own.orgId}`,
        params: (_, other) => ({ eventId: String(other.eventId) }),
        status: 404,
      },
      // Snapshots show people: not for auditors.
      {
        as: "auditor",
        method: "GET",
        url: (own) => `/api/recognition/x/snapshot?orgId=${own.orgId}`,
        params: (own) => ({ eventId: String(own.eventId) }),
        status: 403,
      },
      // The control: the caller's own event's snapshot is served.
      {
        as: "operator",
        method: "GET",
        url: (own) => `/api/recognition/x/snapshot?orgId=${own.orgId}`,
        params: (own) => ({ eventId: String(own.eventId) }),
        status: 200,
      },
    ],
  },
  "admin/queues/[[...path]]": {
    attempts: [
      { as: "anonymous", method: "GET", url: () => "/admin/queues", status: 404 },
      { as: "owner", method: "GET", url: () => "/admin/queues", status: 404 },
      { as: "regulator", method: "GET", url: () => "/admin/queues/api/queues", status: 404 },
      // The control: the board itself answers administrators.
      { as: "admin", method: "GET", url: () => "/admin/queues/api/queues", status: 200 },
    ],
  },
};

const appDir = fileURLToPath(new URL(".", import.meta.url));
function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(path);
    return entry.name === "route.ts" ? [relative(appDir, dir)] : [];
  });
}

type Handler = (request: NextRequest, context: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
const BASE = "http://127.0.0.1:3000";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let own: World;
let other: World;
const cookies = {} as Record<Caller, string>;
let digest: () => Promise<string[]>;

beforeAll(async () => {
  const { createTestDatabase } = await import("@consentry/db/testing");
  testDb = await createTestDatabase();
  // The route modules reach the database, files and queues through the validated env: point it at
  // this test's own before anything reads it (vi.resetModules makes @consentry/env read it again).
  vi.stubEnv("DATABASE_URL", testDb.url);
  vi.stubEnv("CONSENTRY_STORAGE_DIR", mkdtempSync(join(tmpdir(), "consentry-route-test-")));
  vi.stubEnv("QUEUE_PREFIX", `test-routes-${Date.now().toString(36)}`);
  vi.resetModules();
  const { env } = await import("@consentry/env");
  const api = await import("@consentry/api/testing");
  const { auth } = await import("~/server/services");
  const { storage } = await import("~/server/storage");
  const { storeEventSnapshot } = await import("@consentry/core/sites");
  const { schema } = await import("@consentry/db");
  const { db } = testDb;
  digest = () => api.databaseDigest(db);

  const password = "correct horse battery";
  const principals = {} as Record<Caller, Principal | null>;
  const orgA = await api.makeOrganization(db);
  const orgB = await api.makeOrganization(db);
  principals.anonymous = null;
  principals.admin = await api.makePrincipal(db, { platformAdmin: true });
  for (const role of ["owner", "manager", "operator", "auditor"] as const) {
    principals[role] = await api.makePrincipal(db, { memberships: [[orgA.id, role]] });
  }
  principals.regulator = await api.makePrincipal(db, { jurisdictionCodes: ["310000"] });
  const ownerB = await api.makePrincipal(db, { memberships: [[orgB.id, "owner"]] });
  for (const [name, principal] of Object.entries(principals)) {
    if (!principal) continue;
    const response = await auth.api.signInEmail({
      body: { email: principal.email, password },
      headers: new Headers({ "x-consentry-client-ip": "203.0.113.9" }),
      asResponse: true,
    });
    expect(response.ok, `${name} signs in`).toBe(true);
    cookies[name as Caller] = response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(";")[0])
      .join("; ");
  }

  // Status links are signed with the web app's portal secret, so requests are made with it.
  const portal = { ...api.recordingPortal(), secret: env.CONSENTRY_PORTAL_SECRET };
  const world = async (orgId: string, owner: Principal, regionCode: string): Promise<World> => {
    // The route serves evidence from the web app's own file store.
    const caller = api.callerFor(db, owner, undefined, storage);
    const site = await caller.sites.create({
      orgId,
      name: api.unique("Site"),
      address: "1 Century Avenue",
      regionCode,
      kind: "office",
      templateRetentionDays: 365,
    });
    const subject = await caller.subjects.create({
      orgId,
      displayName: "李雷",
      contact: null,
      isMinor: false,
      birthYear: null,
    });
    const consent = await caller.subjects.giveConsent({ orgId, ...api.recognitionConsent(subject.id, site.id) });
    const sign = await caller.signs.create({
      orgId,
      siteId: site.id,
      location: "Main gate",
      text: "人脸识别区域 Face recognition in use",
      languages: ["zh-CN", "en"],
      installedAt: new Date(),
      cameraIds: [],
      entryPointIds: [],
    });
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } })
      .jpeg()
      .toBuffer();
    await caller.signs.attachEvidence({ orgId, signId: sign.id, photo });
    const assessment = await caller.assessments.upload({
      orgId,
      siteId: site.id,
      scope: "All gates",
      approver: "DPO",
      completedAt: new Date(),
      nextReviewAt: null,
      document: new TextEncoder().encode("%PDF-1.4\n%%EOF\n"),
      documentName: "pipia.pdf",
    });
    // A recognition event whose snapshot is in the web app's file store, as the worker leaves it.
    const [camera] = await db
      .insert(schema.cameras)
      .values({
        orgId,
        siteId: site.id,
        name: "Gate",
        rtspUrlEnc: "v1.test",
        rtspUrlMasked: "rtsp://10.0.0.1/cam",
        locationType: "entrance",
      })
      .returning({ id: schema.cameras.id });
    const [event] = await db
      .insert(schema.recognitionEvents)
      .values({
        orgId,
        siteId: site.id,
        cameraId: camera?.id as string,
        subjectId: subject.id,
        at: new Date(),
        score: 0.8,
        snapshotPath: await storeEventSnapshot(storage, photo),
      })
      .returning({ id: schema.recognitionEvents.id });
    const email = `${api.unique("subject")}@example.cn`;
    const visitor = api.callerFor(db, null, undefined, undefined, portal);
    const { requestId } = await visitor.portal.submit({ siteId: site.id, type: "access", email });
    const verified = await visitor.portal.verify({ requestId, code: api.lastCodeSentTo(portal, email) });
    return {
      orgId,
      siteId: site.id,
      signId: sign.id,
      assessmentId: assessment.id,
      subjectId: subject.id,
      consentId: consent.id,
      eventId: event?.id as number,
      status: { reference: verified.reference, token: verified.token },
    };
  };
  own = await world(orgA.id, principals.owner as Principal, "310115");
  other = await world(orgB.id, ownerB, "440305");
}, 60_000); // a database, ten sign-ins and two organisations' objects, on a busy machine
afterAll(async () => {
  vi.unstubAllEnvs();
  await testDb?.drop();
});

describe("route handlers", () => {
  it("every route file has a row, and no row names a missing file", () => {
    expect(
      routeFiles(join(appDir, "api"))
        .concat(routeFiles(join(appDir, "admin")))
        .sort(),
    ).toEqual(Object.keys(routes).sort());
  });

  for (const [route, row] of Object.entries(routes)) {
    if ("none" in row) continue;
    it(`${route} answers 404 for another tenant's objects`, async () => {
      // The principal must come from the request, not next/headers, for the handler to run here.
      const source = readFileSync(join(appDir, route, "route.ts"), "utf8");
      expect(source, `${route} must read its session with requestApi(request)`).not.toContain("serverApi(");
      const module = (await import(/* @vite-ignore */ join(appDir, route, "route.ts"))) as Record<string, Handler>;
      for (const attempt of row.attempts) {
        const url = new URL(attempt.url(own, other), BASE);
        const body = await attempt.body?.(own, other);
        const headers = new Headers({ cookie: cookies[attempt.as] ?? "", "x-consentry-client-ip": "203.0.113.9" });
        if (typeof body === "string") headers.set("content-type", "application/json");
        const request = new NextRequest(url, { method: attempt.method, headers, body });
        const handler = module[attempt.method] as Handler;
        const before = await digest();
        const response = await handler(request, { params: Promise.resolve(attempt.params?.(own, other) ?? {}) });
        const summary = { route, as: attempt.as, method: attempt.method, url: url.pathname + url.search };
        expect({ ...summary, status: response.status }, await response.clone().text()).toEqual({
          ...summary,
          status: attempt.status,
        });
        if (attempt.status === 404) expect(await digest(), `${route} changed the database`).toEqual(before);
      }
    }, 30_000);
  }
});
