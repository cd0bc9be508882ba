// Broken sites that between them produce every finding the engine can word.

import { createRuleContext, evaluateOrganization, evaluateSite } from "../evaluate";
import type { EngineSettings, ProfileId, SiteFacts } from "../facts";
import type { Finding } from "../findings";
import { cnFr15 } from "../rules/cn-fr-15";
import {
  camera,
  compliantSite,
  daysAgo,
  dsrRequest,
  evaluationContext,
  NOW,
  organizationFacts,
  retentionRun,
} from "./builders";

const HOUR_MS = 3_600_000;

/** A site that breaks rules, and the settings to evaluate it under. */
export interface BrokenSiteSample {
  site: SiteFacts;
  settings?: Partial<EngineSettings>;
}

/**
 * Sites that between them break every rule of every profile in every way the engine words
 * differently, most of them several times with different values (names, purposes, days, dates):
 * the cases of the rule tests, gathered in one place.
 */
export function brokenSiteSamples(): BrokenSiteSample[] {
  const years = (n: number) => daysAgo(n * 365.25);
  const withoutConsents = (site: SiteFacts): SiteFacts => ({ ...site, consents: [] });
  const sites: (SiteFacts | BrokenSiteSample)[] = [
    // CN-FR-02
    compliantSite({ entryPoint: { necessityNote: "  " } }),
    compliantSite({ entryPoint: { name: "North gate", purpose: null }, camera: { name: "North gate camera" } }),
    compliantSite({ entryPoint: { purpose: null, necessityNote: null } }),
    compliantSite({ camera: { entryPointId: null, name: "Car park camera" } }),
    // CN-FR-03, IL-15a's schedule, IL-15b
    compliantSite({ notice: { rights: "", contact: " " } }),
    compliantSite({ notice: { version: 3, controller: "", method: "", retention: "" } }),
    compliantSite({ consent: { noticeId: null } }),
    compliantSite({ entryPoint: { purpose: "check_in" }, consent: { noticeId: null, purpose: "check_in" } }),
    { ...compliantSite(), notices: [] },
    // CN-FR-04, EU-09
    withoutConsents(compliantSite({ template: { consentId: null } })),
    withoutConsents(compliantSite({ template: { consentId: null, purpose: "payment" } })),
    compliantSite({ consent: { isBundled: true } }),
    compliantSite({ entryPoint: { purpose: "check_in" }, consent: { isBundled: true, purpose: "check_in" } }),
    compliantSite({ template: { purpose: "payment" } }),
    compliantSite({
      entryPoint: { purpose: "check_in" },
      consent: { purpose: "check_in" },
      template: { purpose: "monitoring" },
    }),
    compliantSite({ consent: { withdrawnAt: daysAgo(5) }, template: { lastUsedAt: daysAgo(1) } }),
    // CN-FR-05
    compliantSite({ subject: { isMinor: true } }),
    compliantSite({ subject: { pseudonym: "R-0042", birthYear: NOW.getUTCFullYear() - 14 } }),
    // CN-FR-06
    compliantSite({ template: { storage: "central" }, consent: { scopes: ["recognition", "central_storage"] } }),
    // CN-FR-07, IL-15a: the retention job left data behind, failed, or stopped
    compliantSite({ retention: { overdue: { templates: 3, enrolment_photos: 12_345, recognition_events: 48_000 } } }),
    compliantSite({ retention: { overdue: { templates: 1, recognition_events: 7 } } }),
    compliantSite({
      retention: { due: { templates: 5, recognition_events: 100 }, lastRun: retentionRun({ status: "failed" }) },
    }),
    compliantSite({ retention: { due: { templates: 4 }, lastRun: retentionRun({ status: "interrupted" }) } }),
    compliantSite({
      retention: {
        due: { templates: 6 },
        lastRun: retentionRun({ finishedAt: new Date(NOW.getTime() - 3 * HOUR_MS) }),
      },
    }),
    compliantSite({ retention: { due: { templates: 11, enrolment_photos: 9 }, lastRun: null } }),
    // CN-FR-08, EU-35
    compliantSite({ assessment: null }),
    compliantSite({ assessment: { completedAt: daysAgo(90) }, site: { lastMaterialChangeAt: daysAgo(60) } }),
    // CN-FR-09, CN-FR-11
    compliantSite({ entryPoint: { alternatives: [] } }),
    compliantSite({ entryPoint: { name: "Garage ramp", alternatives: [], faceIsDefault: true } }),
    compliantSite({ entryPoint: { faceIsDefault: true } }),
    // CN-FR-12
    compliantSite({ entryPoint: { isPublicPlace: true, purpose: "check_in" } }),
    compliantSite({ site: { isPublicPlace: true }, entryPoint: { purpose: "monitoring" } }),
    compliantSite({ site: { isPublicPlace: true }, camera: { entryPointId: null } }),
    compliantSite({ entryPoint: { isPublicPlace: true, purpose: "public_security" } }),
    compliantSite({
      entryPoint: { isPublicPlace: true, purpose: "public_security", captureAreaNote: " " },
      camera: { name: "Square camera" },
    }),
    // CN-FR-13, CN-CAM-01
    compliantSite({ camera: { locationType: "changing_room" } }),
    compliantSite({
      add: {
        cameras: [
          camera({ name: "WC", locationType: "public_toilet", frEnabled: false, disabled: true }),
          camera({ name: "Room 1203", locationType: "hotel_room", entryPointId: null }),
        ],
      },
    }),
    // CN-CAM-02
    compliantSite({ sign: { verifiedAt: daysAgo(91) } }),
    { site: compliantSite({ sign: { verifiedAt: daysAgo(45) } }), settings: { signVerificationMaxAgeDays: 30 } },
    compliantSite({ add: { cameras: [camera({ name: "Car park", frEnabled: false })] } }),
    {
      site: compliantSite({
        add: { cameras: [camera({ name: "Loading bay", frEnabled: false, entryPointId: "ep-main" })] },
        sign: { verifiedAt: daysAgo(45) },
      }),
      settings: { signVerificationMaxAgeDays: 30 },
    },
    // CN-FR-14
    compliantSite({ template: { encrypted: false } }),
    // CN-PI-03, EU-17, CN-PI-06, CN-DSR-SLA, EU-SLA
    compliantSite({
      add: {
        requests: [
          dsrRequest({
            reference: "DSR-7Q2K",
            type: "deletion",
            status: "approved",
            verifiedAt: new Date("2025-05-07T02:00:00Z"),
            closedAt: null,
          }),
          dsrRequest({
            type: "withdrawal",
            status: "in_progress",
            verifiedAt: new Date("2025-04-21T02:00:00Z"),
            closedAt: null,
          }),
          dsrRequest({ status: "refused", refusalReason: " " }),
          dsrRequest({ type: "correction", status: "refused", refusalReason: null }),
          dsrRequest({ status: "in_progress", verifiedAt: new Date("2025-05-12T02:00:00Z"), closedAt: null }),
        ],
      },
    }),
    {
      site: compliantSite({
        add: {
          requests: [dsrRequest({ status: "open", verifiedAt: new Date("2025-06-05T02:00:00Z"), closedAt: null })],
        },
      }),
      settings: { dsrWorkingDays: 5 },
    },
    compliantSite({ consent: { withdrawnAt: daysAgo(40) }, template: { lastUsedAt: daysAgo(41) } }),
    compliantSite({
      consent: { withdrawnAt: daysAgo(40) },
      template: { lastUsedAt: daysAgo(41) },
      add: { photos: [{ subjectId: "subj-1", consentId: "consent-1", count: 3 }] },
    }),
    {
      ...compliantSite({ subject: { pseudonym: "R-0077" }, consent: { withdrawnAt: daysAgo(45) } }),
      templates: [],
      photos: [{ subjectId: "subj-1", consentId: "consent-1", count: 1 }],
    },
    // CN-SITE-01: the recent move is reported, the one long ago no longer
    compliantSite({
      site: {
        regionChanges: [
          { at: daysAgo(400), fromRegion: "330106", toRegion: "310104" },
          { at: daysAgo(10), fromRegion: "310104", toRegion: "320105" },
        ],
      },
    }),
    compliantSite({ site: { regionChanges: [{ at: daysAgo(89), fromRegion: "310115", toRegion: "310101" }] } }),
    // IL-15a, IL-15b
    compliantSite({
      site: { templateRetentionDays: 5000 },
      template: { createdAt: years(4), lastUsedAt: daysAgo(3 * 365.25 + 2) },
    }),
    compliantSite({ consent: { givenAt: daysAgo(10) }, template: { createdAt: daysAgo(30) } }),
  ];
  return sites.map((sample) => ("cameras" in sample ? { site: sample } : sample));
}

/**
 * Every finding the samples produce: each broken site under every profile, a broken audit chain,
 * and filing counts from approaching to overdue. Covers every code in FINDING_CODES.
 */
export function sampleFindings(): Finding[] {
  const findings: Finding[] = [];
  const samples = brokenSiteSamples();
  for (const profile of ["CN", "EU", "US-IL"] as const satisfies readonly ProfileId[]) {
    for (const { site, settings } of samples) {
      findings.push(...evaluateSite(site, evaluationContext({ profile, settings })).findings);
    }
  }
  findings.push(...evaluateOrganization(organizationFacts({ auditChainOk: false })).findings);
  const context = createRuleContext(evaluationContext());
  const filings: [subjects: number, thresholdReachedAt: string | null][] = [
    [80_000, null],
    [95_500, null],
    [100_000, "2025-06-10T02:00:00Z"],
    [123_456, "2025-06-12T02:00:00Z"],
    [100_000, "2025-04-01T02:00:00Z"],
    [150_000, "2025-03-03T02:00:00Z"],
  ];
  for (const [subjectsWithTemplates, reachedAt] of filings) {
    const facts = organizationFacts({
      organization: {
        filing: {
          thresholdReachedAt: reachedAt ? new Date(reachedAt) : null,
          filedAt: null,
          reference: null,
          deregisteredAt: null,
        },
      },
    });
    findings.push(...cnFr15.check({ facts, subjectsWithTemplates }, context));
  }
  return findings;
}
