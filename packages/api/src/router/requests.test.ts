import type { Principal } from "@consentry/auth";
import { recognitionConsent } from "@consentry/core/testing";
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
async function verifiedRequest(
  email: string,
  extra: { type?: "access" | "deletion" | "withdrawal" | "correction"; reference?: string; details?: string } = {},
) {
  const visitor = callerFor(testDb.db, null, recordingJobs(), undefined, portal);
  const { requestId } = await visitor.portal.submit({ siteId, type: "access", email, phone: "13800138000", ...extra });
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

describe("working a request start to finish (issue #17.3)", () => {
  it("shows the request with its history; the requester's message and reference only through the audited reveal", async () => {
    const email = `${unique("detail")}@example.cn`;
    const requestId = await verifiedRequest(email, {
      reference: "Flat 12-301",
      details: "Please delete my face data.",
    });
    const before = await staff().requests.get({ orgId, requestId });
    expect(before).toMatchObject({ id: requestId, type: "access", siteName: "Xuhui Garden", contactRemoved: false });
    expect(JSON.stringify(before)).not.toContain(email);
    // The receipt mailed to the requester is in the history too: which mail, never the address.
    expect(before.history.map((event) => event.kind)).toEqual(["submitted", "verified", "request.mail"]);
    expect(before.history[2]).toMatchObject({ actor: "notifications", details: { mail: "received" } });

    await expect(staff().requests.contact({ orgId, requestId })).resolves.toEqual({
      email,
      phone: "13800138000",
      reference: "Flat 12-301",
      details: "Please delete my face data.",
    });
    const subject = await person(orgId, email, owner);
    await staff().requests.linkSubject({ orgId, requestId, pseudonym: subject.pseudonym });
    const after = await staff().requests.get({ orgId, requestId });
    expect(after.history.map((event) => event.kind)).toEqual([
      "submitted",
      "verified",
      "request.mail",
      "request.contact.view",
      "request.link_subject",
    ]);
    expect(after.history[4]).toMatchObject({ details: { pseudonym: subject.pseudonym, contact: "match" } });
    expect(after.subjectPseudonym).toBe(subject.pseudonym);
  });

  it("the person picker says whose stored contact is the requester's verified email, never the address", async () => {
    const email = `${unique("picker")}@example.cn`;
    const requestId = await verifiedRequest(email);
    const same = await person(orgId, email.toUpperCase(), owner);
    const other = await person(orgId, "someone@example.cn", owner);
    const pick = (pseudonym: string) => staff().requests.personCandidates({ orgId, requestId, search: pseudonym });
    const [mine] = await pick(same.pseudonym);
    expect(mine).toMatchObject({ id: same.id, contact: "match", displayName: "陈静" });
    expect((await pick(other.pseudonym))[0]).toMatchObject({ id: other.id, contact: "mismatch" });
    expect(JSON.stringify(await pick("P-"))).not.toContain(email);
    await expect(
      staff(otherOwner).requests.personCandidates({ orgId: otherOrgId, requestId, search: "P-" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("another organisation's staff, and a malformed id, get nothing", async () => {
    const requestId = await verifiedRequest(`${unique("foreign")}@example.cn`);
    await expect(staff(otherOwner).requests.get({ orgId: otherOrgId, requestId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(staff(otherOwner).requests.previewApproval({ orgId: otherOrgId, requestId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(staff().requests.get({ orgId, requestId: "not-a-uuid" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("counts what approving a deletion would erase, and nothing before the person is linked", async () => {
    const email = `${unique("erase")}@example.cn`;
    const requestId = await verifiedRequest(email, { type: "deletion" });
    await expect(staff(owner).requests.previewApproval({ orgId, requestId })).resolves.toEqual({
      type: "deletion",
      linked: false,
      counts: null,
    });
    const subject = await person(orgId, email, owner);
    await staff(owner).subjects.giveConsent({ orgId, ...recognitionConsent(subject.id, siteId) });
    await staff().requests.linkSubject({ orgId, requestId, pseudonym: subject.pseudonym });
    await expect(staff(owner).requests.previewApproval({ orgId, requestId })).resolves.toEqual({
      type: "deletion",
      linked: true,
      counts: { templates: 0, consents: 1, photos: 0, recognitionEvents: 0 },
    });
    // Operators work requests; only managers and owners decide them, so only they see the preview.
    await expect(staff().requests.previewApproval({ orgId, requestId })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses a refusal without a real reason and leaves the request open", async () => {
    const requestId = await verifiedRequest(`${unique("refuse")}@example.cn`);
    await expect(staff(owner).requests.refuse({ orgId, requestId, reason: "   no    " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await stored(requestId)).toMatchObject({ status: "open", refusalReason: null, closedAt: null });
  });

  it("filters the list by status, type, site and overdue", async () => {
    const overdueId = await verifiedRequest(`${unique("late")}@example.cn`, { type: "withdrawal" });
    await testDb.db
      .update(schema.dsrRequests)
      .set({ dueAt: new Date(Date.now() - 86_400_000) })
      .where(eq(schema.dsrRequests.id, overdueId));
    const ids = async (filter: Parameters<ReturnType<typeof staff>["requests"]["list"]>[0]) =>
      (await staff().requests.list(filter)).items.map((item) => item.id);
    expect(await ids({ orgId, overdue: true })).toEqual([overdueId]);
    expect(await ids({ orgId, type: "withdrawal" })).toContain(overdueId);
    expect(await ids({ orgId, type: "deletion" })).not.toContain(overdueId);
    expect(await ids({ orgId, status: "refused" })).not.toContain(overdueId);
    expect(await ids({ orgId, siteId })).toContain(overdueId);
    expect(await ids({ orgId, siteId: crypto.randomUUID() })).toEqual([]);
  });

  it("a correction request leads to the person's record: the change is audited by field name and shows in the request's history", async () => {
    const email = `${unique("correct")}@example.cn`;
    const requestId = await verifiedRequest(email, { type: "correction" });
    const subject = await person(orgId, email, owner);
    await staff().requests.linkSubject({ orgId, requestId, pseudonym: subject.pseudonym });
    const update = { subjectId: subject.id, displayName: "陈静怡", contact: email, isMinor: false, birthYear: 1988 };
    await expect(staff().subjects.update({ orgId, ...update, requestId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(staff(otherOwner).subjects.update({ orgId: otherOrgId, ...update })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(staff(owner).subjects.update({ orgId, ...update, requestId })).resolves.toEqual({
      id: subject.id,
      changed: ["displayName", "birthYear"],
    });
    await expect(staff().subjects.get({ orgId, subjectId: subject.id })).resolves.toMatchObject({
      displayName: "陈静怡",
      birthYear: 1988,
    });
    const history = (await staff().requests.get({ orgId, requestId })).history;
    expect(history.at(-1)).toMatchObject({
      kind: "request.correction",
      details: { fields: ["displayName", "birthYear"] },
    });
    const entries = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, subject.id));
    expect(JSON.stringify(entries)).not.toContain("陈静");
  });
});
