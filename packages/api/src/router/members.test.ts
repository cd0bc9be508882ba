import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPrincipal, type Principal } from "@consentry/auth";
import type { InvitationServices } from "@consentry/core/members";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createMailer } from "@consentry/mail";
import { readMailbox, startDevMailServer } from "@consentry/mail/dev-server";
import { createJobProducer, invalidationChannel, type JobProducer, redisConnection } from "@consentry/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, databaseDigest, makeOrganization, makePrincipal, unique } from "../testing";

// Onboarding and members (issue #16.1-2) against real PostgreSQL, Redis and SMTP.

const mailDir = mkdtempSync(join(tmpdir(), "consentry-members-mail-"));
const prefix = `members-test-${randomBytes(4).toString("hex")}`;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: Awaited<ReturnType<typeof startDevMailServer>>;
let mailer: ReturnType<typeof createMailer>;
let mail: InvitationServices;
let jobs: JobProducer;
let admin: Principal;

const PASSWORD = "a long enough passphrase 2026";
const address = () => `${unique("person")}@example.cn`.toLowerCase();
const as = (principal: Principal | null) =>
  callerFor(testDb.db, principal, jobs, undefined, undefined, undefined, mail);
/** The invite link's token in the latest invitation mail to `to` (the real SMTP mailbox). */
async function tokenMailedTo(to: string) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = (await readMailbox(mailDir)).find((m) => m.to === to && m.subject.includes("invitation"));
    const token = found && /\/invite\?token=([A-Za-z0-9_-]+)/.exec(found.text)?.[1];
    if (token) return { token, mail: found };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no invitation mail to ${to}`);
}
const refused = (code: string, reason: string) => ({ code, cause: { reason } });

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startDevMailServer({ dir: mailDir });
  mailer = createMailer(smtp.url, "Consentry <no-reply@consentry.local>");
  mail = { mailer, baseUrl: "http://consentry.test:3000" };
  jobs = createJobProducer(env.REDIS_URL, prefix);
  admin = await makePrincipal(testDb.db, { platformAdmin: true });
});
afterAll(async () => {
  mailer?.close();
  await smtp?.stop();
  await jobs?.close();
  await testDb?.drop();
  rmSync(mailDir, { recursive: true, force: true });
});

describe("onboarding", () => {
  it("creates the organisation, its networks and the owner's invitation; the owner accepts with a new account", async () => {
    const ownerEmail = address();
    const slug = unique("onboard").toLowerCase();
    const org = await as(admin).admin.createOrganization({
      name: "Pudong Towers",
      slug,
      jurisdictionProfile: "CN",
      ownerEmail: ownerEmail.toUpperCase(),
      cameraNetworks: [{ cidr: "10.8.0.0/16", portFrom: null, portTo: null, note: "Tower A" }],
    });
    expect(org.invitation).toMatchObject({ email: ownerEmail, mailSent: true });
    const networks = await testDb.db
      .select()
      .from(schema.cameraNetworks)
      .where(eq(schema.cameraNetworks.orgId, org.id));
    expect(networks.map((n) => n.cidr)).toEqual(["10.8.0.0/16"]);

    const { token, mail: sent } = await tokenMailedTo(ownerEmail);
    expect(sent.text).toContain("http://consentry.test:3000/invite?token=");
    expect(sent.text).toContain("Pudong Towers");
    expect(sent.text).toContain("72");
    expect(sent.text).toContain(admin.email);

    const shown = await as(null).members.invitation({ token });
    expect(shown).toMatchObject({
      state: "valid",
      organization: { id: org.id, name: "Pudong Towers" },
      role: "owner",
      email: ownerEmail,
      invitedBy: admin.email,
      accountExists: false,
    });

    // A weak password changes nothing and names the policy's reason.
    const before = await databaseDigest(testDb.db);
    await expect(
      as(null).members.acceptAsNewUser({ token, name: "Wang Fang", password: "short" }),
    ).rejects.toMatchObject(refused("BAD_REQUEST", "password_tooShort"));
    expect(await databaseDigest(testDb.db)).toEqual(before);

    const joined = await as(null).members.acceptAsNewUser({ token, name: "Wang Fang", password: PASSWORD });
    expect(joined).toMatchObject({ orgId: org.id, role: "owner", email: ownerEmail });
    const [user] = await testDb.db.select().from(schema.users).where(eq(schema.users.email, ownerEmail));
    const principal = await loadPrincipal(testDb.db, user?.id ?? "");
    expect(principal?.memberships).toEqual([{ orgId: org.id, orgName: "Pudong Towers", role: "owner" }]);
    expect(principal?.name).toBe("Wang Fang");

    // Single use.
    expect((await as(null).members.invitation({ token })).state).toBe("used");
    await expect(
      as(null).members.acceptAsNewUser({ token, name: "Someone", password: PASSWORD }),
    ).rejects.toMatchObject(refused("PRECONDITION_FAILED", "invitation_used"));

    const actions = await testDb.db
      .select({ action: schema.auditLog.action })
      .from(schema.auditLog)
      .where(eq(schema.auditLog.orgId, org.id));
    expect(actions.map((a) => a.action).sort()).toEqual(
      ["camera_network.add", "member.invite", "member.join", "organization.create"].sort(),
    );

    // The empty organisation's checklist: nothing done yet.
    const steps = await callerFor(testDb.db, principal).members.firstSteps({ orgId: org.id });
    expect(steps).toEqual({
      steps: { site: false, assessment: false, camera: false, notice: false, sign: false },
      done: false,
      siteId: null,
    });
  });

  it("says plainly why a link does not work: forged, expired, revoked", async () => {
    expect(await as(null).members.invitation({ token: "forged" })).toEqual({ state: "invalid" });
    expect(await as(null).members.invitation({ token: "A".repeat(43) })).toEqual({ state: "invalid" });
    await expect(
      as(null).members.acceptAsNewUser({ token: "A".repeat(43), name: "X", password: PASSWORD }),
    ).rejects.toMatchObject(refused("PRECONDITION_FAILED", "invitation_invalid"));

    const orgId = (await makeOrganization(testDb.db)).id;
    const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const late = address();
    await as(owner).members.invite({ orgId, email: late, role: "operator" });
    const { token } = await tokenMailedTo(late);
    await testDb.db
      .update(schema.invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.invitations.email, late));
    expect(await as(null).members.invitation({ token })).toMatchObject({ state: "expired", invitedBy: owner.email });
    await expect(as(null).members.acceptAsNewUser({ token, name: "Late", password: PASSWORD })).rejects.toMatchObject(
      refused("PRECONDITION_FAILED", "invitation_expired"),
    );

    const withdrawn = address();
    const invite = await as(owner).members.invite({ orgId, email: withdrawn, role: "auditor" });
    const revokedToken = (await tokenMailedTo(withdrawn)).token;
    await as(owner).members.revokeInvitation({ orgId, invitationId: invite.id });
    expect((await as(null).members.invitation({ token: revokedToken })).state).toBe("revoked");
    await expect(
      as(null).members.acceptAsNewUser({ token: revokedToken, name: "W", password: PASSWORD }),
    ).rejects.toMatchObject(refused("PRECONDITION_FAILED", "invitation_revoked"));
  });

  it("resend: the old link stops, the new one works for 72 hours", async () => {
    const orgId = (await makeOrganization(testDb.db)).id;
    const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const email = address();
    const invite = await as(owner).members.invite({ orgId, email, role: "manager" });
    const first = (await tokenMailedTo(email)).token;
    const resent = await as(owner).members.resendInvitation({ orgId, invitationId: invite.id });
    expect(resent.mailSent).toBe(true);
    expect(resent.expiresAt.getTime() - Date.now()).toBeGreaterThan(71.9 * 3600_000);
    let second = first;
    for (let i = 0; i < 50 && second === first; i++) {
      second = (await tokenMailedTo(email)).token;
      if (second === first) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(second).not.toBe(first);
    expect((await as(null).members.invitation({ token: first })).state).toBe("invalid");
    expect((await as(null).members.invitation({ token: second })).state).toBe("valid");
    const [row] = await testDb.db.select().from(schema.invitations).where(eq(schema.invitations.id, invite.id));
    expect(row?.sendCount).toBe(2);
  });
});

describe("members", () => {
  let orgId: string;
  let owner: Principal;
  let manager: Principal;
  let operator: Principal;
  let otherOrg: string;
  let otherOwner: Principal;

  beforeAll(async () => {
    orgId = (await makeOrganization(testDb.db)).id;
    otherOrg = (await makeOrganization(testDb.db)).id;
    owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
    operator = await makePrincipal(testDb.db, { memberships: [[orgId, "operator"]] });
    otherOwner = await makePrincipal(testDb.db, { memberships: [[otherOrg, "owner"]] });
  });

  it("lists members for owners and managers only; managers cannot change anything", async () => {
    const list = await as(manager).members.list({ orgId });
    expect(list.total).toBe(3);
    expect(list.activeOwners).toBe(1);
    expect(list.rows.find((r) => r.userId === owner.userId)).toMatchObject({
      email: owner.email,
      role: "owner",
      twoFactorEnabled: false,
      deactivatedAt: null,
    });
    expect((await as(owner).members.list({ orgId, role: "operator" })).rows.map((r) => r.userId)).toEqual([
      operator.userId,
    ]);
    expect((await as(owner).members.list({ orgId, pageSize: 2, page: 2 })).rows).toHaveLength(1);
    await expect(as(operator).members.list({ orgId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(manager).members.invite({ orgId, email: address(), role: "operator" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(as(manager).members.deactivate({ orgId, userId: operator.userId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("refuses an invitation to an address that is already a member", async () => {
    await expect(
      as(owner).members.invite({ orgId, email: manager.email.toUpperCase(), role: "operator" }),
    ).rejects.toMatchObject(refused("CONFLICT", "alreadyMember"));
    const email = address();
    await as(owner).members.invite({ orgId, email, role: "operator" });
    await expect(as(owner).members.invite({ orgId, email, role: "operator" })).rejects.toMatchObject(
      refused("CONFLICT", "alreadyInvited"),
    );
  });

  it("an existing user joins a second organisation with the same account; another address is told so", async () => {
    await as(owner).members.invite({ orgId, email: otherOwner.email, role: "auditor" });
    const { token } = await tokenMailedTo(otherOwner.email);
    expect(await as(null).members.invitation({ token })).toMatchObject({ state: "valid", accountExists: true });
    // A new account for an address that has one is refused: sign in to accept.
    await expect(as(null).members.acceptAsNewUser({ token, name: "Dup", password: PASSWORD })).rejects.toMatchObject(
      refused("CONFLICT", "invitation_accountExists"),
    );
    const before = await databaseDigest(testDb.db);
    expect(await as(manager).members.accept({ token })).toEqual({
      joined: false,
      reason: "otherAddress",
      invitedEmail: otherOwner.email,
    });
    expect(await databaseDigest(testDb.db)).toEqual(before);
    await expect(as(null).members.accept({ token })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await as(otherOwner).members.accept({ token })).toMatchObject({ joined: true, orgId, role: "auditor" });
    await expect(as(otherOwner).members.accept({ token })).rejects.toMatchObject(
      refused("PRECONDITION_FAILED", "invitation_used"),
    );
    const principal = await loadPrincipal(testDb.db, otherOwner.userId);
    expect(principal?.memberships.map((m) => [m.orgId, m.role]).sort()).toEqual(
      [
        [orgId, "auditor"],
        [otherOrg, "owner"],
      ].sort(),
    );
  });

  it("keeps an active owner: the last one can neither be demoted, deactivated, removed nor leave", async () => {
    const before = await databaseDigest(testDb.db);
    for (const attempt of [
      () => as(owner).members.changeRole({ orgId, userId: owner.userId, role: "manager" }),
      () => as(owner).members.deactivate({ orgId, userId: owner.userId }),
      () => as(owner).members.remove({ orgId, userId: owner.userId }),
    ]) {
      await expect(attempt()).rejects.toMatchObject(refused("UNPROCESSABLE_CONTENT", "lastOwner"));
    }
    expect(await databaseDigest(testDb.db)).toEqual(before);

    // With a second owner, the first may step down.
    await as(owner).members.changeRole({ orgId, userId: manager.userId, role: "owner" });
    await as(owner).members.changeRole({ orgId, userId: owner.userId, role: "manager" });
    const ownerNow = (await loadPrincipal(testDb.db, manager.userId)) as Principal;
    await expect(
      as(ownerNow).members.changeRole({ orgId, userId: manager.userId, role: "operator" }),
    ).rejects.toMatchObject(refused("UNPROCESSABLE_CONTENT", "lastOwner"));
    await as(ownerNow).members.changeRole({ orgId, userId: owner.userId, role: "owner" });
    await as(owner).members.changeRole({ orgId, userId: manager.userId, role: "manager" });
    const changes = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.orgId, orgId), eq(schema.auditLog.action, "member.role_change")));
    expect(changes).toHaveLength(4);
  });

  it("answers NOT_FOUND for another organisation's members and invitations", async () => {
    const invite = await as(owner).members.invite({ orgId, email: address(), role: "operator" });
    const before = await databaseDigest(testDb.db);
    const other = as(otherOwner);
    for (const attempt of [
      () => other.members.deactivate({ orgId: otherOrg, userId: operator.userId }),
      () => other.members.reactivate({ orgId: otherOrg, userId: operator.userId }),
      () => other.members.remove({ orgId: otherOrg, userId: operator.userId }),
      () => other.members.changeRole({ orgId: otherOrg, userId: operator.userId, role: "owner" }),
      () => other.members.resendInvitation({ orgId: otherOrg, invitationId: invite.id }),
      () => other.members.revokeInvitation({ orgId: otherOrg, invitationId: invite.id }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await databaseDigest(testDb.db)).toEqual(before);
  });

  it("deactivation ends the member's sessions at once and tells the live-view gateway", async () => {
    const leaver = await makePrincipal(testDb.db, { memberships: [[orgId, "operator"]] });
    const later = new Date(Date.now() + 3600_000);
    await testDb.db.insert(schema.sessions).values([
      { id: unique("s"), userId: leaver.userId, token: unique("t"), expiresAt: later },
      { id: unique("s"), userId: leaver.userId, token: unique("t"), expiresAt: later },
    ]);
    const subscriber = new Redis(redisConnection(env.REDIS_URL));
    const heard: unknown[] = [];
    subscriber.on("message", (_channel, message) => heard.push(JSON.parse(message)));
    await subscriber.subscribe(invalidationChannel(prefix));
    try {
      expect(await as(owner).members.deactivate({ orgId, userId: leaver.userId })).toEqual({ sessionsEnded: 2 });
      expect(await testDb.db.$count(schema.sessions, eq(schema.sessions.userId, leaver.userId))).toBe(0);
      expect((await loadPrincipal(testDb.db, leaver.userId))?.memberships).toEqual([]);
      await expect.poll(() => heard).toContainEqual({ type: "member", orgId, userId: leaver.userId });
      await expect(as(owner).members.deactivate({ orgId, userId: leaver.userId })).rejects.toMatchObject(
        refused("PRECONDITION_FAILED", "alreadyDeactivated"),
      );
      const listed = await as(owner).members.list({ orgId, status: "deactivated" });
      expect(listed.rows.map((r) => r.userId)).toEqual([leaver.userId]);

      await as(owner).members.reactivate({ orgId, userId: leaver.userId });
      expect((await loadPrincipal(testDb.db, leaver.userId))?.memberships.map((m) => m.orgId)).toEqual([orgId]);

      heard.length = 0;
      await testDb.db
        .insert(schema.sessions)
        .values({ id: unique("s"), userId: leaver.userId, token: unique("t"), expiresAt: later });
      expect(await as(owner).members.remove({ orgId, userId: leaver.userId })).toEqual({ sessionsEnded: 1 });
      expect((await loadPrincipal(testDb.db, leaver.userId))?.memberships).toEqual([]);
      await expect.poll(() => heard).toContainEqual({ type: "member", orgId, userId: leaver.userId });
      await expect(as(owner).members.remove({ orgId, userId: leaver.userId })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      const actions = await testDb.db
        .select({ action: schema.auditLog.action, details: schema.auditLog.details })
        .from(schema.auditLog)
        .where(and(eq(schema.auditLog.orgId, orgId), eq(schema.auditLog.targetId, leaver.userId)));
      expect(actions.map((a) => a.action)).toEqual(["member.deactivate", "member.reactivate", "member.remove"]);
    } finally {
      await subscriber.quit();
    }
  });

  it("refuses malformed input", async () => {
    await expect(as(owner).members.invite({ orgId, email: "not an address", role: "operator" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      // @ts-expect-error an unknown role
      as(owner).members.invite({ orgId, email: address(), role: "admin" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      // @ts-expect-error an unknown field
      as(owner).members.deactivate({ orgId, userId: operator.userId, force: true }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
