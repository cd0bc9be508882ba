import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateOrganization, evaluateSite } from "./evaluate";
import type { OrganizationFacts, ProfileId, SiteFacts } from "./facts";
import { FINDING_CODES } from "./findings";
import { CRITICAL_SCORE_CAP } from "./score";
import { camera, consent, daysAgo, entryPoint, evaluationContext, NOW, subject, template } from "./testing";

// Random sites mix every kind of fact, valid or not, with references that may dangle.

const PROFILES: ProfileId[] = ["CN", "EU", "US-IL"];
const PURPOSES = ["entry_verification", "check_in", "payment", "monitoring", "public_security"];
const day = fc.integer({ min: -3, max: 1400 }).map((n) => daysAgo(n));
const hoursAgo = fc.integer({ min: 0, max: 6 * 60 }).map((minutes) => new Date(NOW.getTime() - minutes * 60_000));
const RETENTION_KINDS = [
  "templates",
  "recognition_events",
  "enrolment_photos",
  "unknown_face_counts",
  "portal_requests",
] as const;
const maybeDay = fc.option(day, { nil: null });
const text = fc.constantFrom("", " ", "stated");
const ref = (prefix: string) =>
  fc.option(
    fc.nat(5).map((i) => `${prefix}-${i}`),
    { nil: null },
  );
const idsOf = (prefix: string) => Array.from({ length: 6 }, (_, i) => `${prefix}-${i}`);

const arbitrarySite = (siteId: string): fc.Arbitrary<SiteFacts> =>
  fc
    .record({
      isPublicPlace: fc.boolean(),
      templateRetentionDays: fc.integer({ min: 30, max: 1500 }),
      lastMaterialChangeAt: maybeDay,
      entryPoints: fc.array(
        fc.record({
          purpose: fc.option(fc.constantFrom(...PURPOSES), { nil: null }),
          necessityNote: fc.option(text, { nil: null }),
          faceRecognition: fc.boolean(),
          faceIsDefault: fc.boolean(),
          isPublicPlace: fc.boolean(),
          captureAreaNote: fc.option(text, { nil: null }),
          alternatives: fc.subarray(["key_card", "pin", "qr"]),
        }),
        { maxLength: 4 },
      ),
      cameras: fc.array(
        fc.record({
          locationType: fc.constantFrom("entrance", "lobby", "corridor", "changing_room", "hotel_room"),
          frEnabled: fc.boolean(),
          disabled: fc.boolean(),
          entryPointId: ref("ep"),
        }),
        { maxLength: 6 },
      ),
      signs: fc.array(
        fc.record({
          verifiedAt: maybeDay,
          cameraIds: fc.subarray(idsOf("cam")),
          entryPointIds: fc.subarray(idsOf("ep")),
        }),
        { maxLength: 3 },
      ),
      notices: fc.array(
        fc.record({ controller: text, purpose: text, method: text, retention: text, rights: text, contact: text }),
        { maxLength: 2 },
      ),
      subjects: fc.array(
        fc.record({ isMinor: fc.boolean(), birthYear: fc.option(fc.integer({ min: 1950, max: 2024 }), { nil: null }) }),
        { maxLength: 5 },
      ),
      consents: fc.array(
        fc.record({
          subjectId: fc.nat(5).map((i) => `subj-${i}`),
          purpose: fc.constantFrom(...PURPOSES),
          scopes: fc.subarray(["recognition", "central_storage", "transfer"] as const),
          isSeparate: fc.boolean(),
          isBundled: fc.boolean(),
          noticeId: ref("notice"),
          guardianConsentAt: maybeDay,
          givenAt: day,
          withdrawnAt: maybeDay,
        }),
        { maxLength: 6 },
      ),
      templates: fc.array(
        fc.record({
          subjectId: fc.nat(5).map((i) => `subj-${i}`),
          consentId: ref("consent"),
          purpose: fc.option(fc.constantFrom(...PURPOSES), { nil: null }),
          storage: fc.constantFrom("device", "central") as fc.Arbitrary<"device" | "central">,
          encrypted: fc.boolean(),
          createdAt: day,
          lastUsedAt: maybeDay,
        }),
        { maxLength: 6 },
      ),
      requests: fc.array(
        fc.record({
          type: fc.constantFrom("deletion", "access", "withdrawal", "correction") as fc.Arbitrary<"deletion">,
          status: fc.constantFrom(
            "pending_verification",
            "open",
            "in_progress",
            "approved",
            "refused",
            "completed",
          ) as fc.Arbitrary<"open">,
          verifiedAt: maybeDay,
          dueAt: maybeDay,
          closedAt: maybeDay,
          refusalReason: fc.option(text, { nil: null }),
          certificateIssuedAt: maybeDay,
          extensionNotifiedAt: maybeDay,
        }),
        { maxLength: 4 },
      ),
      assessments: fc.array(fc.record({ completedAt: day }), { maxLength: 2 }),
      photos: fc.array(
        fc.record({ subjectId: fc.nat(5).map((i) => `subj-${i}`), consentId: ref("consent"), count: fc.nat(4) }),
        { maxLength: 4 },
      ),
      retention: fc.option(
        fc.record({
          due: fc.dictionary(fc.constantFrom(...RETENTION_KINDS), fc.nat(50)),
          overdue: fc.dictionary(fc.constantFrom(...RETENTION_KINDS), fc.nat(50)),
          lastRun: fc.option(
            fc.record({
              status: fc.constantFrom("running", "completed", "failed", "interrupted") as fc.Arbitrary<"completed">,
              startedAt: hoursAgo,
              finishedAt: fc.option(hoursAgo, { nil: null }),
            }),
            { nil: null },
          ),
        }),
        { nil: undefined },
      ),
    })
    .map((raw) => {
      // Ids are prefixed with the site so that sites of one organisation never share a subject or camera.
      const id = (prefix: string, i: number) => `${siteId}/${prefix}-${i}`;
      const own = (value: string | null) => (value === null ? null : `${siteId}/${value}`);
      return {
        site: {
          id: siteId,
          name: `Site ${siteId}`,
          kind: "office",
          isPublicPlace: raw.isPublicPlace,
          templateRetentionDays: raw.templateRetentionDays,
          lastMaterialChangeAt: raw.lastMaterialChangeAt,
        },
        entryPoints: raw.entryPoints.map((e, i) => ({ ...e, id: id("ep", i), name: `Door ${i}` })),
        cameras: raw.cameras.map((c, i) => ({
          ...c,
          id: id("cam", i),
          name: `Camera ${i}`,
          entryPointId: own(c.entryPointId),
        })),
        signs: raw.signs.map((s, i) => ({
          ...s,
          id: id("sign", i),
          location: "wall",
          cameraIds: s.cameraIds.map((c) => `${siteId}/${c}`),
          entryPointIds: s.entryPointIds.map((e) => `${siteId}/${e}`),
        })),
        notices: raw.notices.map((n, i) => ({ ...n, id: id("notice", i), version: i + 1 })),
        subjects: raw.subjects.map((s, i) => ({ ...s, id: id("subj", i), pseudonym: `P-${i}` })),
        consents: raw.consents.map((c, i) => ({
          ...c,
          id: id("consent", i),
          subjectId: `${siteId}/${c.subjectId}`,
          noticeId: own(c.noticeId),
        })),
        templates: raw.templates.map((t, i) => ({
          ...t,
          id: id("tpl", i),
          subjectId: `${siteId}/${t.subjectId}`,
          consentId: own(t.consentId),
        })),
        requests: raw.requests.map((r, i) => ({ ...r, id: id("req", i) })),
        assessments: raw.assessments.map((a, i) => ({ ...a, id: id("pipia", i), scope: "site" })),
        photos: raw.photos.map((p) => ({ ...p, subjectId: `${siteId}/${p.subjectId}`, consentId: own(p.consentId) })),
        retention: raw.retention,
      };
    });

const arbitraryProfile = fc.constantFrom(...PROFILES);

const arbitraryOrganization: fc.Arbitrary<OrganizationFacts> = fc
  .record({
    profile: arbitraryProfile,
    sites: fc
      .integer({ min: 0, max: 4 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbitrarySite(`s${i}`)))),
    auditChainOk: fc.boolean(),
    filing: fc.option(
      fc.record({
        thresholdReachedAt: maybeDay,
        filedAt: maybeDay,
        reference: fc.constant(null),
        deregisteredAt: maybeDay,
      }),
      { nil: null },
    ),
  })
  .map(({ profile, sites, auditChainOk, filing }) => ({
    now: NOW,
    profile,
    organization: { id: "org", name: "Org", filing },
    sites,
    auditChainOk,
  }));

/**
 * Changes that add an unlawful practice (a critical finding) and nothing else: they only add facts,
 * never remove any, and added consents use a purpose no entry point has, so no other finding goes away.
 */
const CRITICAL_CAUSES: Record<string, { profiles: ProfileId[]; apply: (site: SiteFacts) => SiteFacts }> = {
  "a plain camera in a hotel room": {
    profiles: ["CN"],
    apply: (site) => ({
      ...site,
      cameras: [...site.cameras, camera({ id: "added-cam", locationType: "hotel_room", frEnabled: false })],
    }),
  },
  "a face-recognition camera in a changing room": {
    profiles: ["CN"],
    apply: (site) => ({
      ...site,
      cameras: [...site.cameras, camera({ id: "added-cam", locationType: "changing_room" })],
    }),
  },
  "an FR entry point without alternatives": {
    profiles: ["CN"],
    apply: (site) => ({
      ...site,
      entryPoints: [...site.entryPoints, entryPoint({ id: "added-ep", alternatives: [] })],
    }),
  },
  "an unencrypted template": {
    profiles: ["CN"],
    apply: (site) => ({
      ...site,
      subjects: [...site.subjects, subject({ id: "added-subj" })],
      consents: [...site.consents, consent({ id: "added-consent", subjectId: "added-subj", purpose: "added_purpose" })],
      templates: [
        ...site.templates,
        template({ id: "added-tpl", subjectId: "added-subj", consentId: "added-consent", encrypted: false }),
      ],
    }),
  },
  "a child's template without guardian consent": {
    profiles: ["CN"],
    apply: (site) => ({
      ...site,
      subjects: [...site.subjects, subject({ id: "added-subj", isMinor: true })],
      consents: [...site.consents, consent({ id: "added-consent", subjectId: "added-subj", purpose: "added_purpose" })],
      templates: [
        ...site.templates,
        template({ id: "added-tpl", subjectId: "added-subj", consentId: "added-consent" }),
      ],
    }),
  },
  "a template without any consent": {
    profiles: ["CN", "EU", "US-IL"],
    apply: (site) => ({
      ...site,
      subjects: [...site.subjects, subject({ id: "added-subj" })],
      templates: [...site.templates, template({ id: "added-tpl", subjectId: "added-subj" })],
    }),
  },
};

describe("engine properties", () => {
  it("keeps every score within 0..100, at most 40 with any critical finding; every finding has a listed code", () => {
    fc.assert(
      fc.property(arbitrarySite("s"), arbitraryProfile, (site, profile) => {
        const { score, findings, coverage } = evaluateSite(site, evaluationContext({ profile }));
        expect(Number.isFinite(score) && score >= 0 && score <= 100).toBe(true);
        for (const finding of findings) {
          expect(FINDING_CODES).toContain(finding.code);
          expect(finding.code.startsWith(`${finding.ruleId}.`)).toBe(true);
        }
        if (findings.some((finding) => finding.severity === "critical"))
          expect(score).toBeLessThanOrEqual(CRITICAL_SCORE_CAP);
        for (const share of Object.values(coverage)) if (share !== null) expect(share >= 0 && share <= 1).toBe(true);
      }),
    );
  });

  for (const [cause, { profiles, apply }] of Object.entries(CRITICAL_CAUSES)) {
    it(`never raises the score when ${cause} is added (${profiles.join(", ")})`, () => {
      fc.assert(
        fc.property(arbitrarySite("s"), fc.constantFrom(...profiles), (site, profile) => {
          const context = evaluationContext({ profile });
          const before = evaluateSite(site, context);
          const after = evaluateSite(apply(site), context);
          expect(after.findings.some((finding) => finding.severity === "critical")).toBe(true);
          expect(after.score).toBeLessThanOrEqual(before.score);
          expect(after.score).toBeLessThanOrEqual(CRITICAL_SCORE_CAP);
        }),
      );
    });
  }

  it("reports retention only where the job visibly failed: nothing while it ran recently and nothing is overdue", () => {
    fc.assert(
      fc.property(arbitrarySite("s"), arbitraryProfile, (site, profile) => {
        const recent = { status: "completed" as const, startedAt: daysAgo(0.02), finishedAt: daysAgo(0.01) };
        const healthy = { ...site, retention: { due: site.retention?.due ?? {}, overdue: {}, lastRun: recent } };
        const retentionCodes = (facts: SiteFacts) =>
          evaluateSite(facts, evaluationContext({ profile }))
            .findings.filter((finding) => /^(CN-FR-07|IL-15a)\.(retention|.*Overdue)/.test(finding.code))
            .map((finding) => finding.code);
        expect(retentionCodes(healthy)).toEqual([]);
        // Whatever is overdue is reported, as counts about the site.
        const overdue = { ...healthy, retention: { ...healthy.retention, overdue: { templates: 1 } } };
        expect(retentionCodes(overdue)).toEqual(
          profile === "EU" ? [] : [`${profile === "CN" ? "CN-FR-07" : "IL-15a"}.templatesOverdue`],
        );
      }),
    );
  });

  it("lists findings worst first", () => {
    const rank = { critical: 0, high: 1, medium: 2, info: 3 };
    fc.assert(
      fc.property(arbitrarySite("s"), arbitraryProfile, (site, profile) => {
        const ranks = evaluateSite(site, evaluationContext({ profile })).findings.map((f) => rank[f.severity]);
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }),
    );
  });

  it("evaluates an organisation deterministically, without touching its facts", () => {
    fc.assert(
      fc.property(arbitraryOrganization, (facts) => {
        const copy = structuredClone(facts);
        const first = evaluateOrganization(facts);
        expect(evaluateOrganization(facts)).toEqual(first);
        expect(evaluateOrganization(copy)).toEqual(first);
        expect(facts).toEqual(copy);
      }),
      { numRuns: 60 },
    );
  });
});
