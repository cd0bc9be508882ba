import { schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { jurisdictionSite } from "./jurisdiction";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let siteId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  const [org] = await testDb.db.insert(schema.organizations).values({ name: "Core Org", slug: "core-org" }).returning();
  const [site] = await testDb.db
    .insert(schema.sites)
    .values({
      orgId: org?.id as string,
      code: "S-CORE1",
      name: "Core Court",
      address: "1 Test Road",
      regionCode: "310104",
      kind: "office",
    })
    .returning();
  siteId = site?.id as string;
});
afterAll(async () => {
  await testDb?.drop();
});

describe("jurisdictionSite", () => {
  it("shows a site of the jurisdiction, without snapshot or requests yet", async () => {
    const site = await jurisdictionSite(testDb.db, ["310000"], siteId);
    expect(site).toMatchObject({ siteName: "Core Court", orgName: "Core Org", score: null, findings: [] });
    expect(site.requests).toEqual({ received: 0, open: 0, onTime: 0, late: 0 });
  });

  it("throws a domain not-found for a site outside the jurisdiction, never a protocol error", async () => {
    const error = await jurisdictionSite(testDb.db, ["330000"], siteId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "notFound", message: "Site not found in your jurisdiction." });
  });
});
