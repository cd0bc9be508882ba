import { randomBytes } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { decryptString, verifyToken } from "@consentry/crypto";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createJobProducer, producerOptions, QUEUE_NAMES } from "@consentry/queue";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let otherOrgId: string;
let manager: Principal;
let otherManager: Principal;
let siteA: { id: string; code: string };
let siteB: { id: string; code: string };
// A real BullMQ queue under a prefix of this run only.
const prefix = `test-cameras-${randomBytes(4).toString("hex")}`;
const jobs = createJobProducer(env.REDIS_URL, prefix);
const probeQueue = new Queue(QUEUE_NAMES.cameraProbe, producerOptions(env.REDIS_URL, prefix));

const SECRET_URL = "rtsp://admin:hunter2-secret@10.1.2.3:554/Streaming/Channels/101";
// One stream is one camera (any organisation): each test camera gets a channel of its own.
let channel = 101;
const fields = (rtspUrl = `rtsp://admin:hunter2-secret@10.1.2.3:554/Streaming/Channels/${++channel}`) => ({
  orgId,
  name: "Gate 1",
  siteId: siteA.id,
  entryPointId: null,
  locationType: "entrance" as const,
  frEnabled: false,
  analysisFps: 5,
  rtspUrl,
});
const api = () => callerFor(testDb.db, manager, jobs);
const auditOf = async (targetId: string) =>
  testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, targetId)).orderBy(schema.auditLog.id);

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  otherOrgId = (await makeOrganization(testDb.db)).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  otherManager = await makePrincipal(testDb.db, { memberships: [[otherOrgId, "manager"]] });
  const site = { address: "1 Road", regionCode: "310101", kind: "office" as const, templateRetentionDays: 365 };
  siteA = await api().sites.create({ orgId, name: "Site A", ...site });
  siteB = await api().sites.create({ orgId, name: "Site B", ...site });
});
afterAll(async () => {
  await probeQueue.obliterate({ force: true });
  await probeQueue.close();
  await jobs.close();
  await testDb?.drop();
});

describe("camera registry", () => {
  it("stores the RTSP URL encrypted, only ever shows it masked, and queues a first probe", async () => {
    const { id } = await api().cameras.create(fields(SECRET_URL));
    const [row] = await testDb.db.select().from(schema.cameras).where(eq(schema.cameras.id, id));
    expect(row?.rtspUrlEnc).not.toContain("hunter2");
    expect(decryptString(row?.rtspUrlEnc as string, "cameras.rtsp_url")).toBe(SECRET_URL);
    expect(row?.rtspKeyId).toBe("dev1");
    expect(row?.rtspUrlMasked).toBe("rtsp://admin:***@10.1.2.3:554/Streaming/Channels/101");

    const shown = JSON.stringify([
      await api().cameras.byId({ orgId, cameraId: id }),
      await api().cameras.list({ orgId }),
      await api().cameras.exportCsv({ orgId }),
      await auditOf(id),
    ]);
    expect(shown).not.toContain("hunter2");
    expect(shown).not.toContain("v1.dev1");

    const queued = await probeQueue.getJobs(["waiting", "delayed", "prioritized"]);
    expect(queued.map((job) => job.data)).toContainEqual({ cameraId: id });
  });

  it("refuses malformed URLs and names clearly, writing nothing", async () => {
    const before = await testDb.db.$count(schema.cameras);
    const auditBefore = await testDb.db.$count(schema.auditLog);
    const bad = [
      { rtspUrl: "http://10.0.0.1/stream" },
      { rtspUrl: "file:///etc/passwd" },
      { rtspUrl: "rtsp://10.0.0.1/cam;rm -rf /" },
      { rtspUrl: "rtsp://10.0.0.1/$(reboot)" },
      { rtspUrl: "rtsp://10.0.0.1:0/cam" },
      { rtspUrl: "rtsp://10.0.0.1:70000/cam" },
      { rtspUrl: "rtsp://bad_host!/cam" },
      { rtspUrl: "rtsp://admin:***@10.0.0.1/cam" },
      { rtspUrl: "not a url" },
      { name: "x".repeat(10_000) },
      { analysisFps: 0 },
    ];
    for (const override of bad) {
      const error = await api()
        .cameras.create({ ...fields(), ...override })
        .catch((e) => e);
      expect(error?.code, JSON.stringify(override)).toBe("BAD_REQUEST");
    }
    expect(await testDb.db.$count(schema.cameras)).toBe(before);
    expect(await testDb.db.$count(schema.auditLog)).toBe(auditBefore);
  });

  it("refuses cameras in private spaces, naming the rule", async () => {
    const noCamera = await api()
      .cameras.create({ ...fields(), locationType: "public_toilet" })
      .catch((e) => e);
    expect(noCamera.code).toBe("UNPROCESSABLE_CONTENT");
    expect(noCamera.message).toContain("CN-CAM-01");
    const noFaceRecognition = await api()
      .cameras.create({ ...fields(), locationType: "hotel_room", frEnabled: true })
      .catch((e) => e);
    expect(noFaceRecognition.message).toContain("CN-FR-13");

    const { id } = await api().cameras.create({ ...fields(), name: "Corridor" });
    const moveIntoChangingRoom = await api()
      .cameras.update({ ...fields(), cameraId: id, locationType: "changing_room", rtspUrl: undefined })
      .catch((e) => e);
    expect(moveIntoChangingRoom.message).toContain("CN-CAM-01");
  });

  it("refuses face recognition at a site without an impact assessment (CN-FR-08), then allows it", async () => {
    const refused = await api()
      .cameras.create({ ...fields(), name: "FR gate", frEnabled: true })
      .catch((e) => e);
    expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
    expect(refused.message).toContain("CN-FR-08");
    await api().assessments.create({
      orgId,
      siteId: siteA.id,
      scope: "All gates",
      approver: "DPO",
      documentSha256: "d".repeat(64),
      completedAt: new Date(),
      nextReviewAt: null,
    });
    await api().cameras.create({ ...fields(), name: "FR gate", frEnabled: true });
    const [site] = await testDb.db.select().from(schema.sites).where(eq(schema.sites.id, siteA.id));
    expect(site?.lastMaterialChangeAt).toBeInstanceOf(Date);
  });

  it("moves a camera between sites, disables and deletes it, auditing each step", async () => {
    const moverUrl = "rtsp://admin:hunter2-secret@10.1.2.3:554/Streaming/Channels/mover";
    const { id } = await api().cameras.create({ ...fields(moverUrl), name: "Mover" });
    await api().cameras.update({ ...fields(), name: "Mover", cameraId: id, siteId: siteB.id, rtspUrl: undefined });
    const moved = await api().cameras.byId({ orgId, cameraId: id });
    expect(moved.siteId).toBe(siteB.id);
    // A blank URL on edit keeps the stored one.
    const [row] = await testDb.db.select().from(schema.cameras).where(eq(schema.cameras.id, id));
    expect(decryptString(row?.rtspUrlEnc as string, "cameras.rtsp_url")).toBe(moverUrl);

    await api().cameras.setEnabled({ orgId, cameraId: id, enabled: false });
    expect((await api().cameras.byId({ orgId, cameraId: id })).disabledAt).toBeInstanceOf(Date);
    await expect(api().cameras.liveViewToken({ orgId, cameraId: id, reason: "maintenance" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await api().cameras.delete({ orgId, cameraId: id });
    await expect(api().cameras.byId({ orgId, cameraId: id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await auditOf(id)).map((entry) => entry.action)).toEqual([
      "camera.create",
      "camera.move",
      "camera.disable",
      "camera.delete",
    ]);
  });

  it("keeps another organisation out", async () => {
    const { id } = await api().cameras.create({ ...fields(), name: "Private cam" });
    const other = callerFor(testDb.db, otherManager, jobs);
    await expect(other.cameras.byId({ orgId: otherOrgId, cameraId: id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.cameras.delete({ orgId: otherOrgId, cameraId: id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      other.cameras.liveViewToken({ orgId: otherOrgId, cameraId: id, reason: "maintenance" }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // Placing a camera at someone else's site is refused too.
    await expect(other.cameras.create({ ...fields(), orgId: otherOrgId, name: "Intruder" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("issues a short-lived live-view ticket bound to camera, organisation and user", async () => {
    const { id } = await api().cameras.create({ ...fields(), name: "Live" });
    const { url } = await api().cameras.liveViewToken({ orgId, cameraId: id, reason: "maintenance" });
    expect(url.startsWith(`${env.CONSENTRY_GATEWAY_URL}/live/${id}?token=`)).toBe(true);
    const token = new URL(url.replace(/^ws/, "http")).searchParams.get("token") as string;
    const payload = verifyToken(token, env.CONSENTRY_LIVE_VIEW_SECRET);
    expect(payload).toMatchObject({ cameraId: id, orgId, userId: manager.userId });
    expect(payload.exp * 1000 - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await auditOf(id)).map((entry) => entry.action)).toContain("camera.live_view");
  });

  it("filters, searches, sorts and pages the fleet", async () => {
    // Cameras of this test: two on site B, and one of another organisation whose name matches the search.
    const onSiteB = ["B lobby", "B yard"];
    const idOf: Record<string, string> = {};
    for (const name of onSiteB) idOf[name] = (await api().cameras.create({ ...fields(), name, siteId: siteB.id })).id;
    const other = callerFor(testDb.db, otherManager, jobs);
    const otherSite = await other.sites.create({
      orgId: otherOrgId,
      name: "Other site",
      address: "9 Road",
      regionCode: "310101",
      kind: "office",
      templateRetentionDays: 365,
    });
    await other.cameras.create({ ...fields(), orgId: otherOrgId, name: "Other corridor", siteId: otherSite.id });

    const list = (extra: object) => api().cameras.list({ orgId, ...extra });
    const names = (result: { items: { name: string }[] }) => result.items.map((c) => c.name).sort();
    const all = await list({ pageSize: 100 });
    const ours = await testDb.db
      .select({ name: schema.cameras.name, siteId: schema.cameras.siteId })
      .from(schema.cameras)
      .where(eq(schema.cameras.orgId, orgId));
    expect(all.total).toBe(ours.length);
    expect(names(all)).toEqual(ours.map((c) => c.name).sort());
    expect(names(all)).not.toContain("Other corridor");
    // Both sites have cameras, so the site filter has something to keep and something to leave out.
    expect(ours.filter((c) => c.siteId === siteA.id).length).toBeGreaterThan(0);

    const onB = await list({ siteId: siteB.id });
    expect(onB.total).toBe(2);
    expect(names(onB)).toEqual(onSiteB);
    expect(onB.items.every((camera) => camera.siteId === siteB.id && camera.siteName === "Site B")).toBe(true);
    const onA = await list({ siteId: siteA.id, pageSize: 100 });
    expect(onA.total).toBe(ours.length - 2);
    expect(names(onA)).toContain("Corridor");
    expect(names(onA)).not.toContain("B lobby");

    const frOnly = await list({ frEnabled: true, pageSize: 100 });
    expect(names(frOnly)).toEqual(["FR gate"]);
    expect((await list({ frEnabled: false, pageSize: 100 })).total).toBe(ours.length - 1);

    // The other organisation's "Other corridor" matches too, and must not show.
    expect((await list({ search: "corr" })).items.map((c) => c.name)).toEqual(["Corridor"]);
    expect((await list({ search: "%" })).total).toBe(0);
    const desc = await list({ sort: "name", direction: "desc", pageSize: 100 });
    expect(desc.items.map((c) => c.name)).toEqual([...all.items.map((c) => c.name)].sort().reverse());
    const page2 = await list({ pageSize: 2, page: 2 });
    expect(page2.items).toHaveLength(2);
    expect(page2.items).toEqual(all.items.slice(2, 4));

    // The status filter follows what the probe writes (see workers/ops camera-probe.ts).
    const probed = async (name: string, status: (typeof schema.cameras.status.enumValues)[number]) => {
      const now = new Date();
      await testDb.db
        .update(schema.cameras)
        .set({ status, lastProbedAt: now, ...(status === "online" && { lastSeenAt: now }) })
        .where(eq(schema.cameras.id, idOf[name] as string));
    };
    const online = async () => {
      const result = await list({ status: "online", pageSize: 100 });
      expect(result.total).toBe(result.items.length);
      return names(result);
    };
    expect(await online()).toEqual([]);
    await probed("B lobby", "online");
    expect(await online()).toEqual(["B lobby"]);
    await probed("B yard", "offline");
    expect(await online()).toEqual(["B lobby"]);
    expect(names(await list({ status: "offline" }))).toEqual(["B yard"]);
    await probed("B yard", "online");
    expect(await online()).toEqual(["B lobby", "B yard"]);
    await probed("B lobby", "unreachable");
    expect(await online()).toEqual(["B yard"]);
    expect((await list({ status: "online", siteId: siteA.id })).total).toBe(0);
  });
});

describe("camera CSV import and export", () => {
  const header = "name,site_code,entry_point,location_type,fr_enabled,analysis_fps,rtsp_url";
  const goodRow = (i: number) =>
    `Imported ${i},${siteA.code},,lobby,no,2,rtsp://cam:pw@192.168.1.${i % 250}:554/live${i}`;

  it("previews per-row problems and commits nothing while any row is bad", async () => {
    const before = await testDb.db.$count(schema.cameras);
    const csv = [
      header,
      goodRow(1),
      `Bad site,S-NOPE00,,lobby,no,2,rtsp://10.0.0.1/a`,
      `Bad url,${siteA.code},,lobby,no,2,http://10.0.0.1/a`,
      `Toilet,${siteA.code},,public_toilet,no,2,rtsp://10.0.0.1/a`,
      `Bad flag,${siteA.code},,lobby,maybe,2,rtsp://10.0.0.1/a`,
      `${"y".repeat(300)},${siteA.code},,lobby,no,2,rtsp://10.0.0.1/a`,
    ].join("\n");
    const preview = await api().cameras.importPreview({ orgId, csv });
    expect(preview).toMatchObject({ validCount: 1, errorCount: 5, fileIssue: null });
    const issuesByLine = Object.fromEntries(
      preview.rows.map((row) => [row.line, row.issues.map((i) => [i.path[0], i.message])]),
    );
    expect(issuesByLine[2]).toEqual([]);
    expect(issuesByLine[3]).toEqual([["site_code", "unknownSite"]]);
    expect(issuesByLine[4]).toEqual([["rtsp_url", "rtspScheme"]]);
    expect(issuesByLine[5]).toEqual([["location_type", "ruleCameraPrivateSpace"]]);
    expect(issuesByLine[6]).toEqual([["fr_enabled", "yesNo"]]);
    expect(issuesByLine[7]?.[0]?.[0]).toBe("name");

    await expect(api().cameras.importCommit({ orgId, csv })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await testDb.db.$count(schema.cameras)).toBe(before);
  });

  it("imports hundreds of cameras in one go, with one audit entry, and exports them masked", async () => {
    const before = await testDb.db.$count(schema.cameras);
    const csv = [header, ...Array.from({ length: 300 }, (_, i) => goodRow(i))].join("\r\n");
    expect(await api().cameras.importCommit({ orgId, csv })).toEqual({ imported: 300 });
    expect(await testDb.db.$count(schema.cameras)).toBe(before + 300);
    const [entry] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "camera.import"));
    expect(entry?.details).toMatchObject({ count: 300 });

    const { csv: exported } = await api().cameras.exportCsv({ orgId });
    expect(exported.split("\n")[0]).toContain("name,site_code,entry_point,location_type");
    expect(exported).toContain("rtsp://cam:***@192.168.1.7:554/live");
    expect(exported).not.toContain(":pw@");
  });

  it("explains an unreadable or empty file", async () => {
    expect((await api().cameras.importPreview({ orgId, csv: "name\n" })).fileIssue).toBe("csvEmpty");
    expect((await api().cameras.importPreview({ orgId, csv: "a,b\n1,2\n" })).fileIssue).toMatch(/^csvMissingColumns/);
    expect((await api().cameras.importPreview({ orgId, csv: 'name,"oops\n' })).fileIssue).toMatch(/^csvUnreadable/);
  });
});
