import { evaluateOrganization, type Finding } from "@consentry/compliance";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubject, giveConsent } from "../subjects";
import { makeAnalysedSite, makeOrganization, makeTemplates, recognitionConsent, TEST_ACTOR, unique } from "../testing";
import { consentFields, subjectFields } from "../validators";
import { loadOrganizationFacts } from "./facts";

// The facts CN-FR-07 / IL-15a and CN-PI-03 judge, loaded from real PostgreSQL: what the retention
// job has left behind (through the retention module's own count), its last run, and photos under
// withdrawn consents. One test database; retention runs are installation-wide, so each test adds
// the run it needs as the newest.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const { consents, enrolmentPhotos, enrolments, faceTemplates, retentionRuns } = schema;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

/** An organisation with one site, one consenting person and one template last used `lastUsedDaysAgo` days ago. */
async function world(lastUsedDaysAgo: number) {
  const db = testDb.db;
  const org = await makeOrganization(db);
  const deps = { db, actor: TEST_ACTOR, orgId: org.id };
  const { siteId } = await makeAnalysedSite(db, org.id, { name: unique("Facts Court"), cameras: [] });
  const person = async () => {
    const { id: subjectId } = await createSubject(
      deps,
      subjectFields.parse({ displayName: "Facts Person", contact: null, isMinor: false, birthYear: null }),
    );
    const consent = await giveConsent(deps, consentFields.parse(recognitionConsent(subjectId, siteId)));
    return { subjectId, consentId: consent.id };
  };
  const resident = await person();
  const [templateId] = await makeTemplates(db, { orgId: org.id, siteId, ...resident }, 1);
  const lastUsedAt = new Date(Date.now() - lastUsedDaysAgo * DAY);
  await db
    .update(faceTemplates)
    .set({ createdAt: lastUsedAt, lastUsedAt })
    .where(eq(faceTemplates.id, templateId as string));
  return { org, siteId, person };
}

async function addRun(status: "completed" | "failed", finishedAgoMs: number) {
  const finishedAt = new Date(Date.now() - finishedAgoMs);
  await testDb.db
    .insert(retentionRuns)
    .values({ status, startedAt: new Date(finishedAt.getTime() - 60_000), finishedAt, heartbeatAt: finishedAt });
}

const codesOf = (findings: Finding[], ruleId: string) =>
  findings.filter((finding) => finding.ruleId === ruleId).map((finding) => [finding.code, finding.params.count]);

async function evaluate(orgId: string) {
  const facts = await loadOrganizationFacts(testDb.db, orgId);
  const [site] = facts.sites;
  const [evaluation] = evaluateOrganization(facts).sites;
  if (!site || !evaluation) throw new Error("no site evaluated");
  return { site, findings: evaluation.findings };
}

describe("retention facts", () => {
  it("reports a template the job left more than 2 hours past due, and nothing of another organisation's", async () => {
    const overdue = await world(400);
    const other = await world(10);
    await addRun("completed", 10 * 60_000);
    const { site, findings } = await evaluate(overdue.org.id);
    expect(site.retention).toMatchObject({ overdue: { templates: 1 }, lastRun: { status: "completed" } });
    expect(codesOf(findings, "CN-FR-07")).toEqual([["CN-FR-07.templatesOverdue", 1]]);
    expect(findings.find((finding) => finding.ruleId === "CN-FR-07")?.target).toEqual({
      type: "site",
      id: overdue.siteId,
      label: expect.any(String),
    });
    const otherFacts = await evaluate(other.org.id);
    expect(otherFacts.site.retention?.overdue).toEqual({});
    expect(codesOf(otherFacts.findings, "CN-FR-07")).toEqual([]);
  });

  it("leaves a template due within the last 2 hours to a healthy job, and reports it once the last run failed", async () => {
    // 365 days after last use plus one hour: due, not yet overdue.
    const { org } = await world(365 + 1 / 24);
    await addRun("completed", 5 * 60_000);
    const healthy = await evaluate(org.id);
    expect(healthy.site.retention?.overdue.templates ?? 0).toBe(0);
    expect(codesOf(healthy.findings, "CN-FR-07")).toEqual([]);

    await addRun("failed", 60_000);
    const failed = await evaluate(org.id);
    expect(failed.site.retention).toMatchObject({ due: { templates: 1 }, lastRun: { status: "failed" } });
    expect(codesOf(failed.findings, "CN-FR-07")).toEqual([["CN-FR-07.retentionRunFailed", 1]]);
    expect(failed.findings.find((finding) => finding.ruleId === "CN-FR-07")?.remediation).toContain(
      "retention job deletes this data automatically",
    );

    // A run that completed 3 hours ago, with none since: the job has stopped.
    await testDb.db.delete(retentionRuns);
    await addRun("completed", 3 * HOUR);
    const stopped = await evaluate(org.id);
    expect(codesOf(stopped.findings, "CN-FR-07")).toEqual([["CN-FR-07.retentionNotRunning", 1]]);
  });
});

describe("photos under a withdrawn consent (CN-PI-03)", () => {
  it("counts each subject's stored enrolment photos per consent and flags them after the deletion deadline", async () => {
    const { org, siteId, person } = await world(1);
    await addRun("completed", 5 * 60_000);
    const withdrawn = await person();
    const [enrolment] = await testDb.db
      .insert(enrolments)
      .values({ orgId: org.id, siteId, ...withdrawn, status: "done", finishedAt: new Date(Date.now() - 41 * DAY) })
      .returning({ id: enrolments.id });
    await testDb.db.insert(enrolmentPhotos).values(
      [0, 1].map((position) => ({
        enrolmentId: enrolment?.id as string,
        subjectId: withdrawn.subjectId,
        position,
        storageKey: unique("photo"),
        status: "accepted" as const,
      })),
    );
    const before = await evaluate(org.id);
    expect(before.site.photos).toEqual([{ ...withdrawn, count: 2 }]);
    expect(codesOf(before.findings, "CN-PI-03")).toEqual([]);

    await testDb.db
      .update(consents)
      .set({ withdrawnAt: new Date(Date.now() - 40 * DAY) })
      .where(eq(consents.id, withdrawn.consentId));
    const after = await evaluate(org.id);
    expect(codesOf(after.findings, "CN-PI-03")).toEqual([["CN-PI-03.photosKeptAfterWithdrawal", 2]]);
    expect(after.findings.find((finding) => finding.ruleId === "CN-PI-03")?.target).toMatchObject({
      type: "subject",
      id: withdrawn.subjectId,
    });
  });

  it("still sees a template marked for deletion whose job never ran, once past the deletion deadline", async () => {
    const { org, siteId, person } = await world(1);
    await addRun("completed", 5 * 60_000);
    const withdrawn = await person();
    const [templateId] = await makeTemplates(testDb.db, { orgId: org.id, siteId, ...withdrawn }, 1);
    const longAgo = new Date(Date.now() - 40 * DAY);
    await testDb.db.update(consents).set({ withdrawnAt: longAgo }).where(eq(consents.id, withdrawn.consentId));
    // Marked as a withdrawal marks it, and its deletion job lost: before, the facts skipped marked templates.
    await testDb.db
      .update(faceTemplates)
      .set({ deletionQueuedAt: longAgo })
      .where(eq(faceTemplates.id, templateId as string));
    const { findings } = await evaluate(org.id);
    expect(codesOf(findings, "CN-PI-03")).toContainEqual(["CN-PI-03.templateKeptAfterWithdrawal", undefined]);
  });
});
