import type { Principal } from "@consentry/auth";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  lastCodeSentTo,
  makeOrganization,
  makePrincipal,
  recordingJobs,
  recordingPortal,
  unique,
} from "../testing";

// Issue #13 point 9: a verified requester reaches only their own person.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let otherOrgId: string;
let siteId: string;
let operator: Principal;
let owner: Principal;
let otherOwner: Principal;
const portal = recordingPortal();

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  otherOrgId = (await makeOrganization(testDb.db)).id;
  owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
  operator = await makePrincipal(testDb.db, { memberships: [[orgId, "operator"]] });
  otherOwner = await makePrincipal(testDb.db, { memberships: [[otherOrgId, "owner"]] });
  siteId = (
    await callerFor(testDb.db, owner).sites.create({
      orgId,
      name: "Xuhui Garden",
      address: "1 Tianyaoqiao Road",
      regionCode: "310104",
      kind: "residential",
      templateRetentionDays: 365,
    })
  ).id;
});
afterAll(async () => {
  await testDb?.drop();
});

const staff = (principal = operator) => callerFor(testDb.db, principal, recordingJobs(), undefined, portal);

/** A portal request at the site, verified by the code mailed to `email`. */
async function verifiedRequest(email: string) {
  const visitor = callerFor(testDb.db, null, recordingJobs(), undefined, portal);
  const { requestId } = await visitor.portal.submit({ siteId, type: "access", email, phone: "13800138000" });
  await visitor.portal.verify({ requestId, code: lastCodeSentTo(portal, email) });
  return requestId;
}

const person = (inOrg: string, contact: string | null, principal: Principal) =>
  staff(principal).subjects.create({ orgId: inOrg, displayName: "陈静", contact, isMinor: false, birthYear: null });

const stored = async (requestId: string) =>
  (await testDb.db.select().from(schema.dsrRequests).where(eq(schema.dsrRequests.id, requestId)))[0];
const linkAudits = async (requestId: string) =>
  testDb.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.targetId, requestId), eq(schema.auditLog.action, "request.link_subject")));

describe("linking a portal request to a person", () => {
  it("links when the person's stored contact is the email the requester verified", async () => {
    const email = `${unique("match")}@example.cn`;
    const requestId = await verifiedRequest(email);
    const subject = await person(orgId, `  ${email.toUpperCase()} `, owner);
    await expect(staff().requests.linkSubject({ orgId, requestId, pseudonym: subject.pseudonym })).resolves.toEqual({
      id: requestId,
      contact: "match",
      overridden: false,
    });
    expect(await stored(requestId)).toMatchObject({
      subjectId: subject.id,
      linkedBy: operator.userId,
      linkOverrideReason: null,
    });
    expect((await linkAudits(requestId)).map((entry) => entry.details)).toEqual([
      { pseudonym: subject.pseudonym, contact: "match" },
    ]);
  });

  it("refuses another person's contact, a phone number or no contact, and changes nothing", async () => {
    const requestId = await verifiedRequest(`${unique("requester")}@example.cn`);
    const cases = [
      [await person(orgId, `${unique("someone-else")}@example.cn`, owner), "linkContactMismatch"],
      // The requester typed this phone number, but only their email was verified.
      [await person(orgId, "13800138000", owner), "linkContactMismatch"],
      [await person(orgId, null, owner), "linkNoContact"],
    ] as const;
    for (const [subject, reason] of cases) {
      const error = await staff()
        .requests.linkSubject({ orgId, requestId, pseudonym: subject.pseudonym })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "PRECONDITION_FAILED", cause: { field: "pseudonym", reason } });
    }
    expect(await stored(requestId)).toMatchObject({ subjectId: null, linkedBy: null, linkOverrideReason: null });
    expect(await linkAudits(requestId)).toEqual([]);
    // A reason too short to say anything is refused as input.
    await expect(
      staff().requests.linkSubject({ orgId, requestId, pseudonym: cases[0][0].pseudonym, overrideReason: "ok" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await stored(requestId))?.subjectId).toBeNull();
  });

  it("links a mismatching person when staff give a reason, stored and audited", async () => {
    const requestId = await verifiedRequest(`${unique("requester")}@example.cn`);
    const subject = await person(orgId, null, owner);
    const overrideReason = "Requester showed their ID card at the front desk.";
    await expect(
      staff().requests.linkSubject({ orgId, requestId, pseudonym: subject.pseudonym, overrideReason }),
    ).resolves.toEqual({ id: requestId, contact: "none", overridden: true });
    expect(await stored(requestId)).toMatchObject({
      subjectId: subject.id,
      linkedBy: operator.userId,
      linkOverrideReason: overrideReason,
    });
    const [audit] = await linkAudits(requestId);
    expect(audit).toMatchObject({
      actorUserId: operator.userId,
      details: { pseudonym: subject.pseudonym, contact: "none", overrideReason },
    });
    const listed = await staff().requests.list({ orgId });
    expect(listed.items.find((item) => item.id === requestId)).toMatchObject({
      subjectPseudonym: subject.pseudonym,
      linkOverrideReason: overrideReason,
    });
  });

  it("never reaches another organisation's person, even with an override", async () => {
    const email = `${unique("tenant")}@example.cn`;
    const requestId = await verifiedRequest(email);
    const foreign = await person(otherOrgId, email, otherOwner);
    await expect(
      staff().requests.linkSubject({
        orgId,
        requestId,
        pseudonym: foreign.pseudonym,
        overrideReason: "Trying to reach another tenant.",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Nor can the other organisation link this organisation's request to its own person.
    await expect(
      staff(otherOwner).requests.linkSubject({ orgId: otherOrgId, requestId, pseudonym: foreign.pseudonym }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await stored(requestId)).toMatchObject({ subjectId: null, linkedBy: null });
  });
});
