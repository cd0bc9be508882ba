import { evaluateOrganization, evaluateSite, type ProfileId } from "@consentry/compliance";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeOrganization, unique } from "../testing";
import { loadOrganizationFacts } from "./facts";

// The summarised facts (people.ts: settled people counted, not listed) against every row: the
// same evaluation, finding for finding, on a world that has every kind of fault a rule can find
// in a person's consents, templates and photos, next to people with nothing wrong, under every
// profile. Seeded straight into the tables, so the faults need no API that would refuse them.

const DAY = 86_400_000;
const NOW = new Date("2026-12-02T04:00:00.000Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const CLEAN_PEOPLE = 40;
const { consents, enrolmentPhotos, enrolments, faceTemplates, notices, sites, subjects } = schema;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
const siteIds: Record<"main" | "incomplete" | "bare" | "archived", string> = {
  main: "",
  incomplete: "",
  bare: "",
  archived: "",
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedWorld();
}, 60_000);
afterAll(async () => {
  await testDb?.drop();
});

type ConsentSeed = Partial<typeof consents.$inferInsert>;
type TemplateSeed = Partial<typeof faceTemplates.$inferInsert>;

async function seedWorld() {
  const db = testDb.db;
  orgId = (await makeOrganization(db)).id;
  const site = async (name: keyof typeof siteIds, extra: Partial<typeof sites.$inferInsert> = {}) => {
    const [row] = await db
      .insert(sites)
      .values({
        orgId,
        code: `S-Q${unique("").slice(-6).toUpperCase()}`,
        name: unique(`Settled ${name}`),
        address: "1 Road",
        regionCode: "310101",
        kind: "residential",
        // Longer than BIPA's 3 years, so a template past them is still kept (IL-15a).
        templateRetentionDays: 1500,
        ...extra,
      })
      .returning({ id: sites.id });
    siteIds[name] = row?.id as string;
  };
  await site("main");
  await site("incomplete");
  await site("bare");
  await site("archived", { archivedAt: ago(1) });
  const notice = async (siteId: string, fields: Partial<typeof notices.$inferInsert> = {}) => {
    const [row] = await db
      .insert(notices)
      .values({
        orgId,
        siteId,
        version: 1,
        controller: "Settled Estates",
        purpose: "Entry",
        method: "Face match",
        retention: "1 year",
        rights: "Access, deletion",
        contact: "dpo@example.cn",
        ...fields,
      })
      .returning({ id: notices.id });
    return row?.id as string;
  };
  const mainNotice = await notice(siteIds.main);
  // Blank to JavaScript's trim, not to PostgreSQL's btrim: an ideographic space.
  const incompleteNotice = await notice(siteIds.incomplete, { retention: "\u3000" });
  await notice(siteIds.archived);

  let n = 0;
  const person = async (fields: Partial<typeof subjects.$inferInsert> = {}) => {
    const [row] = await db
      .insert(subjects)
      .values({ orgId, pseudonym: `Q-${String(++n).padStart(4, "0")}`, ...fields })
      .returning({ id: subjects.id });
    return row?.id as string;
  };
  const consent = async (subjectId: string, fields: ConsentSeed = {}) => {
    const [row] = await db
      .insert(consents)
      .values({
        orgId,
        subjectId,
        siteId: siteIds.main,
        purpose: "entry_verification",
        scopes: ["recognition", "transfer"],
        method: "written",
        noticeId: mainNotice,
        givenAt: ago(100),
        ...fields,
      })
      .returning({ id: consents.id });
    return row?.id as string;
  };
  const template = async (subjectId: string, consentId: string | null, fields: TemplateSeed = {}) => {
    const [row] = await db
      .insert(faceTemplates)
      .values({
        orgId,
        subjectId,
        siteId: siteIds.main,
        consentId,
        modelId: "fr_feature",
        modelVersion: "1",
        embeddingEnc: "v1.settled",
        storage: "central",
        createdAt: ago(90),
        lastUsedAt: ago(2),
        ...fields,
      })
      .returning({ id: faceTemplates.id });
    return row?.id as string;
  };
  /** A clean person: one consent and one or two templates under it, nothing to report. */
  const clean = async (fields: { subject?: Partial<typeof subjects.$inferInsert>; consent?: ConsentSeed } = {}) => {
    const subjectId = await person(fields.subject);
    const consentId = await consent(subjectId, fields.consent);
    await template(subjectId, consentId);
    return { subjectId, consentId };
  };
  const photos = async (subjectId: string, consentId: string | null, siteId = siteIds.main) => {
    const [enrolment] = await db
      .insert(enrolments)
      .values({ orgId, subjectId, siteId, consentId, status: "done" })
      .returning({ id: enrolments.id });
    await db.insert(enrolmentPhotos).values(
      [0, 1].map((position) => ({
        enrolmentId: enrolment?.id as string,
        subjectId,
        position,
        storageKey: unique("photo"),
        status: "accepted" as const,
      })),
    );
  };

  for (let i = 0; i < CLEAN_PEOPLE; i++) {
    const { subjectId, consentId } = await clean();
    if (i % 4 === 0) await template(subjectId, consentId, { storage: "device", lastUsedAt: null });
    // Photos kept under an active consent: nothing to report.
    if (i % 5 === 0) await photos(subjectId, consentId);
  }
  // Clean in ways that are easy to get wrong.
  await clean({ subject: { isMinor: true }, consent: { guardianConsentAt: ago(100) } });
  await clean({ subject: { birthYear: 2011 } }); // 15 in Shanghai's 2026: no guardian needed
  {
    // A withdrawn consent nothing depends on, beside an active one.
    const { subjectId } = await clean();
    await consent(subjectId, { withdrawnAt: ago(200), purpose: "check_in" });
  }
  {
    // A device template needs no transfer scope.
    const subjectId = await person();
    await template(subjectId, await consent(subjectId, { scopes: ["recognition"] }), { storage: "device" });
  }
  {
    // Clean at the main site, faulty at another: the two pairs are judged apart.
    const { subjectId } = await clean();
    await template(subjectId, null, { siteId: siteIds.bare });
  }

  // Faults, one person each (the rules' ids in the names of what they break).
  const cnFr03NoNoticeVersion = await person();
  await template(cnFr03NoNoticeVersion, await consent(cnFr03NoNoticeVersion, { noticeId: null }));
  const cnFr04Bundled = await person();
  await template(cnFr04Bundled, await consent(cnFr04Bundled, { isBundled: true }));
  const cnFr04NotSeparate = await person();
  await consent(cnFr04NotSeparate, { isSeparate: false });
  // The same faults in consents without a template: each is found on its own.
  await consent(await person(), { isBundled: true });
  await consent(await person(), { noticeId: null });
  await template(await person(), null); // CN-FR-04: no consent, no purpose
  {
    // CN-FR-04: withdrawn and used since.
    const subjectId = await person();
    await template(subjectId, await consent(subjectId, { withdrawnAt: ago(30) }), { lastUsedAt: ago(1) });
  }
  {
    // CN-PI-03 / EU-17 / IL-15a: withdrawn long ago, never used since, still there.
    const subjectId = await person();
    await template(subjectId, await consent(subjectId, { withdrawnAt: ago(60) }), { lastUsedAt: ago(70) });
  }
  {
    // CN-FR-04: the consent is for recognition of another purpose than the template serves.
    const subjectId = await person();
    await consent(subjectId);
    await template(subjectId, await consent(subjectId, { scopes: ["transfer"], purpose: "payment" }));
  }
  {
    // Odd data: a template enrolled under another person's consent; one under a consent of another site.
    const other = await clean();
    await template(await person(), other.consentId);
    const subjectId = await person();
    await template(subjectId, await consent(subjectId, { siteId: siteIds.bare }));
  }
  await template(await person(), null, { deletionQueuedAt: ago(40) }); // queued, never deleted
  {
    const subjectId = await person(); // CN-FR-14
    await template(subjectId, await consent(subjectId), { embeddingEnc: "plain-embedding" });
  }
  {
    const subjectId = await person(); // CN-FR-06: central, no transfer scope
    await template(subjectId, await consent(subjectId, { scopes: ["recognition"] }));
  }
  {
    const subjectId = await person({ isMinor: true }); // CN-FR-05
    await template(subjectId, await consent(subjectId));
  }
  {
    const subjectId = await person({ birthYear: 2012 }); // CN-FR-05: may be 14 this year
    await template(subjectId, await consent(subjectId));
  }
  {
    const subjectId = await person(); // IL-15b: template made before the consent
    await template(subjectId, await consent(subjectId, { givenAt: ago(10) }), { createdAt: ago(20) });
  }
  {
    const subjectId = await person(); // IL-15a: last used more than 3 years ago
    await template(subjectId, await consent(subjectId, { givenAt: ago(1500) }), {
      createdAt: ago(1400),
      lastUsedAt: ago(1200),
    });
  }
  {
    const subjectId = await person(); // IL-15b: the consent's notice is another site's
    const consentId = await consent(subjectId, { siteId: siteIds.incomplete, noticeId: mainNotice });
    await template(subjectId, consentId, { siteId: siteIds.incomplete });
  }
  {
    const subjectId = await person(); // IL-15b, IL-15a: the site's notice states no retention
    const consentId = await consent(subjectId, { siteId: siteIds.incomplete, noticeId: incompleteNotice });
    await template(subjectId, consentId, { siteId: siteIds.incomplete });
  }
  {
    // CN-PI-03: photos under a withdrawn consent; and one person's photos under a withdrawn consent
    // of another person, who is settled otherwise.
    const subjectId = await person();
    await photos(subjectId, await consent(subjectId, { withdrawnAt: ago(60) }));
    const owner = await clean();
    const ownersWithdrawn = await consent(owner.subjectId, { withdrawnAt: ago(60), purpose: "check_in" });
    const { subjectId: neighbour } = await clean();
    await photos(neighbour, ownersWithdrawn);
  }
  {
    // At an archived site: not judged, and not counted as held.
    const subjectId = await person();
    const consentId = await consent(subjectId, { siteId: siteIds.archived, noticeId: null });
    await template(subjectId, consentId, { siteId: siteIds.archived, embeddingEnc: "plain" });
  }
}

const facts = (everyone: boolean, siteId?: string) =>
  loadOrganizationFacts(testDb.db, orgId, { now: NOW, everyone, ...(siteId && { siteId }) });

describe("summarised people", () => {
  it.each<ProfileId>(["CN", "EU", "US-IL"])(
    "evaluate exactly as every row does, under %s",
    async (profile) => {
      await testDb.db
        .update(schema.organizations)
        .set({ jurisdictionProfile: profile })
        .where(eq(schema.organizations.id, orgId));
      const [summarised, full] = [await facts(false), await facts(true)];
      const expected = evaluateOrganization(full);
      expect(evaluateOrganization(summarised)).toEqual(expected);

      // The summary left people out, and the world has faults for it to keep.
      const listed = (f: typeof full) => f.sites.reduce((sum, site) => sum + site.templates.length, 0);
      expect(listed(summarised)).toBeLessThan(listed(full) / 2);
      expect(expected.sites.flatMap((site) => site.findings).length).toBeGreaterThan(10);

      for (const siteId of [siteIds.main, siteIds.incomplete, siteIds.bare]) {
        const [one, all] = [await facts(false, siteId), await facts(true, siteId)];
        const [oneSite, allSite] = [one.sites[0], all.sites[0]];
        if (!oneSite || !allSite) throw new Error("site not loaded");
        expect(evaluateSite(oneSite, one)).toEqual(evaluateSite(allSite, all));
      }
    },
    60_000,
  );

  it("finds every fault the world was seeded with (CN)", async () => {
    await testDb.db
      .update(schema.organizations)
      .set({ jurisdictionProfile: "CN" })
      .where(eq(schema.organizations.id, orgId));
    const evaluation = evaluateOrganization(await facts(false));
    const codes = new Set(evaluation.sites.flatMap((site) => site.findings.map((finding) => finding.code)));
    for (const code of [
      "CN-FR-03.consentWithoutNoticeVersion",
      "CN-FR-04.consentBundled",
      "CN-FR-04.templateNoConsentNoPurpose",
      "CN-FR-04.templateConsentWithdrawn",
      "CN-FR-04.templateConsentNotSeparate",
      "CN-FR-05.minorWithoutGuardianConsent",
      "CN-FR-06.centralWithoutTransferConsent",
      "CN-FR-14.templateUnencrypted",
      "CN-PI-03.templateKeptAfterWithdrawal",
      "CN-PI-03.photosKeptAfterWithdrawal",
    ]) {
      expect(codes, code).toContain(code);
    }
    // Two minors at risk (one flagged, one by birth year); the 15-year-old and the guarded child are not.
    const minors = evaluation.sites.flatMap((site) =>
      site.findings.filter((finding) => finding.code === "CN-FR-05.minorWithoutGuardianConsent"),
    );
    expect(minors).toHaveLength(2);
  });
});
