import { randomBytes, randomUUID } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { CAMERA_COUNT_CAP } from "@consentry/core/cameras";
import { decryptString, verifyToken } from "@consentry/crypto";
import { eq, schema, sql } from "@consentry/db";
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
    expect(all.total).toEqual({ count: ours.length, capped: false });
    expect(names(all)).toEqual(ours.map((c) => c.name).sort());
    expect(names(all)).not.toContain("Other corridor");
    // Both sites have cameras, so the site filter has something to keep and something to leave out.
    expect(ours.filter((c) => c.siteId === siteA.id).length).toBeGreaterThan(0);

    const onB = await list({ siteId: siteB.id });
    expect(onB.total?.count).toBe(2);
    expect(names(onB)).toEqual(onSiteB);
    expect(onB.items.every((camera) => camera.siteId === siteB.id && camera.siteName === "Site B")).toBe(true);
    const onA = await list({ siteId: siteA.id, pageSize: 100 });
    expect(onA.total?.count).toBe(ours.length - 2);
    expect(names(onA)).toContain("Corridor");
    expect(names(onA)).not.toContain("B lobby");

    const frOnly = await list({ frEnabled: true, pageSize: 100 });
    expect(names(frOnly)).toEqual(["FR gate"]);
    expect((await list({ frEnabled: false, pageSize: 100 })).total?.count).toBe(ours.length - 1);

    // The other organisation's "Other corridor" matches too, and must not show.
    expect((await list({ search: "corr" })).items.map((c) => c.name)).toEqual(["Corridor"]);
    expect((await list({ search: "%" })).total?.count).toBe(0);
    const desc = await list({ sort: "name", direction: "desc", pageSize: 100 });
    expect(desc.items.map((c) => c.name)).toEqual([...all.items.map((c) => c.name)].sort().reverse());
    const page1 = await list({ pageSize: 2 });
    const page2 = await list({ pageSize: 2, cursor: page1.nextCursor ?? undefined });
    expect(page2.items).toHaveLength(2);
    expect(page2.items).toEqual(all.items.slice(2, 4));
    // Later pages do not count again.
    expect(page2.total).toBeNull();

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
      expect(result.total?.count).toBe(result.items.length);
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
    expect((await list({ status: "online", siteId: siteA.id })).total?.count).toBe(0);
  });
});

describe("the fleet list's pages", () => {
  // A fleet of its own, written straight to the table: repeated names, statuses and sites, and
  // cameras never seen, so every sort has ties that only the id breaks.
  let fleetOrg: string;
  let fleetManager: Principal;
  const fleet = () => callerFor(testDb.db, fleetManager, jobs);
  const statuses = schema.cameras.status.enumValues;

  beforeAll(async () => {
    fleetOrg = (await makeOrganization(testDb.db)).id;
    fleetManager = await makePrincipal(testDb.db, { memberships: [[fleetOrg, "manager"]] });
    const siteRows = await testDb.db
      .insert(schema.sites)
      .values(
        ["Fleet site 3", "Fleet site 1", "Fleet site 2", "Fleet site 1"].map((name, i) => ({
          orgId: fleetOrg,
          code: `S-K${randomBytes(3).toString("hex")}${i}`,
          // Two sites share a name, as an archived and an active one may.
          name,
          address: "1 Road",
          regionCode: "310101",
          kind: "office" as const,
          ...(i === 3 && { archivedAt: new Date() }),
        })),
      )
      .returning({ id: schema.sites.id });
    await testDb.db.insert(schema.cameras).values(
      Array.from({ length: 37 }, (_, i) => ({
        orgId: fleetOrg,
        siteId: siteRows[i % siteRows.length]?.id as string,
        name: `Cam ${String(i % 9).padStart(2, "0")}`,
        rtspUrlEnc: "v1.test",
        rtspUrlMasked: "rtsp://10.0.0.1/x",
        locationType: "entrance" as const,
        frEnabled: i % 2 === 0,
        status: statuses[i % statuses.length],
        // Every fifth never seen; the others on four instants, so last seen has ties too.
        lastSeenAt: i % 5 === 0 ? null : new Date(Date.UTC(2026, 11, 1, 12, 0, i % 4)),
      })),
    );
    // Microseconds apart within one millisecond: a cursor that kept only milliseconds would skip rows.
    await testDb.db.execute(sql`
      update cameras set last_seen_at = last_seen_at + make_interval(secs => (get_byte(uuid_send(id), 15) % 3) / 1e6)
      where org_id = ${fleetOrg} and last_seen_at is not null`);
  });

  type ListInput = Omit<Parameters<ReturnType<typeof fleet>["cameras"]["list"]>[0], "orgId">;
  /** Every page of a list, 5 at a time, following nextCursor. */
  async function walk(input: ListInput) {
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await fleet().cameras.list({ orgId: fleetOrg, ...input, pageSize: 5, cursor });
      pages.push(page);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 50);
    return pages;
  }

  it("walks every sort both ways by cursor: each camera once, in order, the count on the first page only", async () => {
    type Row = Awaited<ReturnType<ReturnType<typeof fleet>["cameras"]["list"]>>["items"][number];
    const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const seen = (row: Row) => row.lastSeenAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    // The order each sort promises, ties aside for last seen (the database keeps microseconds).
    const inOrder: Record<"name" | "status" | "lastSeen" | "site", (a: Row, b: Row) => number> = {
      name: (a, b) => text(a.name, b.name) || text(a.id, b.id),
      status: (a, b) => statuses.indexOf(a.status) - statuses.indexOf(b.status) || text(a.id, b.id),
      lastSeen: (a, b) => Math.sign(seen(a) - seen(b) || 0), // never seen is the oldest
      site: (a, b) => text(a.siteName, b.siteName) || text(a.siteId, b.siteId) || text(a.id, b.id),
    };
    for (const sort of ["name", "status", "lastSeen", "site"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        for (const filter of [{}, { frEnabled: true }, { search: "cam 03" }]) {
          const what = `${sort} ${direction} ${JSON.stringify(filter)}`;
          const input = { sort, direction, ...filter };
          const onePage = (await fleet().cameras.list({ orgId: fleetOrg, ...input, pageSize: 100 })).items;
          const pages = await walk(input);
          expect(
            pages.flatMap((page) => page.items.map((row) => row.id)),
            what,
          ).toEqual(onePage.map((row) => row.id));
          const sign = direction === "asc" ? 1 : -1;
          for (let i = 1; i < onePage.length; i++) {
            expect(sign * inOrder[sort](onePage[i - 1] as Row, onePage[i] as Row), what).toBeLessThanOrEqual(0);
          }
          const matching = 37 - ("frEnabled" in filter ? 18 : 0) - ("search" in filter ? 33 : 0);
          expect(onePage, what).toHaveLength(matching);
          expect(pages[0]?.total, what).toEqual({ count: matching, capped: false });
          expect(
            pages.slice(1).every((page) => page.total === null),
            what,
          ).toBe(true);
          expect(pages.at(-1)?.nextCursor, what).toBeNull();
        }
      }
    }
    // Both ends of the last-seen sort are the cameras never seen.
    const oldestFirst = await fleet().cameras.list({ orgId: fleetOrg, sort: "lastSeen", direction: "asc" });
    expect(oldestFirst.items[0]?.lastSeenAt).toBeNull();
    const newestFirst = await fleet().cameras.list({ orgId: fleetOrg, sort: "lastSeen", direction: "desc" });
    expect(newestFirst.items[0]?.lastSeenAt).not.toBeNull();
  });

  it("refuses a cursor it did not make, or one of another sort, as bad input", async () => {
    const bySite = await fleet().cameras.list({ orgId: fleetOrg, pageSize: 5, sort: "site" });
    const old = Buffer.from(JSON.stringify(["Cam 04", randomUUID()])).toString("base64url");
    for (const cursor of [
      "not-a-cursor",
      Buffer.from('{"after":["x"]}').toString("base64url"),
      old,
      bySite.nextCursor ?? "",
    ]) {
      await expect(
        fleet().cameras.list({ orgId: fleetOrg, pageSize: 5, sort: "status", cursor }),
        cursor,
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    // A cursor of the right shape with SQL in it is a value compared, not SQL run.
    const sneaky = Buffer.from(JSON.stringify({ after: ["Cam 04') or true --", randomUUID()] })).toString("base64url");
    const after = await fleet().cameras.list({ orgId: fleetOrg, pageSize: 100, cursor: sneaky });
    expect(after.items.map((row) => row.name)).toEqual(expect.arrayContaining(["Cam 05", "Cam 08"]));
    expect(after.items.some((row) => row.name <= "Cam 04")).toBe(false);
  });

  it("counts up to CAMERA_COUNT_CAP and says there are more beyond it", async () => {
    const bigOrg = (await makeOrganization(testDb.db)).id;
    const bigManager = await makePrincipal(testDb.db, { memberships: [[bigOrg, "manager"]] });
    const [site] = await testDb.db
      .insert(schema.sites)
      .values({
        orgId: bigOrg,
        code: `S-C${randomBytes(3).toString("hex")}`,
        name: "Big",
        address: "1 Road",
        regionCode: "310101",
        kind: "office",
      })
      .returning({ id: schema.sites.id });
    await testDb.db.execute(sql`
      insert into cameras (org_id, site_id, name, rtsp_url_enc, rtsp_url_masked, location_type, fr_enabled)
      select ${bigOrg}, ${site?.id}, 'Big ' || g, 'v1.test', 'rtsp://10.0.0.1/x', 'entrance', g <= 2
      from generate_series(1, ${CAMERA_COUNT_CAP + 1}) g`);
    const list = (extra: object) => callerFor(testDb.db, bigManager, jobs).cameras.list({ orgId: bigOrg, ...extra });
    expect((await list({})).total).toEqual({ count: CAMERA_COUNT_CAP, capped: true });
    expect((await list({ frEnabled: true })).total).toEqual({ count: 2, capped: false });

    // A search walks its pages the same way whether it matches a few (collected through the
    // trigram index, then sorted) or most (met walking the name index): both as SQL orders them.
    const inOrder = async (pattern: string, limit: number) =>
      (
        await testDb.db
          .select({ id: schema.cameras.id })
          .from(schema.cameras)
          .where(sql`${schema.cameras.orgId} = ${bigOrg} and ${schema.cameras.name} ilike ${pattern}`)
          .orderBy(schema.cameras.name, schema.cameras.id)
          .limit(limit)
      ).map((row) => row.id);
    for (const [search, pages, few] of [
      ["big 99", 10, true], // Big 99, 990–999, 9900–9999: 111 matches
      ["big", 3, false], // every camera
    ] as const) {
      const walked: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < pages; page++) {
        const result = await list({ search, pageSize: 25, cursor });
        walked.push(...result.items.map((row) => row.id));
        if (page === 0) {
          const sparse = JSON.parse(Buffer.from(result.nextCursor ?? "", "base64url").toString()).sparse;
          expect(sparse === true, search).toBe(few);
        }
        cursor = result.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(walked, search).toEqual(await inOrder(`%${search}%`, few ? 1000 : 75));
    }
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
