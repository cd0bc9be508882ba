import { describe, expect, it } from "vitest";
import { createRuleContext, type EvaluationContext, evaluateOrganization, evaluateSite } from "../evaluate";
import type { SiteFacts } from "../facts";
import { checkCameraPlacement } from "../placement";
import {
  camera,
  compliantSite,
  consent,
  daysAgo,
  dsrRequest,
  entryPoint,
  evaluationContext,
  findingsFor,
  NOW,
  notice,
  organizationFacts,
  retentionRun,
  sign,
  subject,
  template,
} from "../testing";
import { assessmentDeletionRefusal } from "./cn-fr-08";
import { cnFr15 } from "./cn-fr-15";

const check = (site: SiteFacts, ruleId: string, context: Partial<EvaluationContext> = {}) =>
  findingsFor(evaluateSite(site, evaluationContext(context)), ruleId);

/** A second resident, "subj-2" / "R-0002", with the given consent and template tweaks. */
const secondResident = (consentOverrides = {}, templateOverrides = {}) => ({
  subjects: [subject({ id: "subj-2", pseudonym: "R-0002" })],
  consents: [consent({ id: "consent-2", subjectId: "subj-2", noticeId: "notice-1", ...consentOverrides })],
  templates: [template({ id: "tpl-2", subjectId: "subj-2", consentId: "consent-2", ...templateOverrides })],
});

describe("CN profile", () => {
  it("finds nothing wrong with the compliant fixture", () => {
    expect(evaluateSite(compliantSite(), evaluationContext())).toMatchObject({ findings: [], score: 100 });
  });

  describe("CN-FR-02 purpose and necessity", () => {
    it("passes when the FR camera's entry point states both; cameras without FR need neither", () => {
      const site = compliantSite({ add: { cameras: [camera({ frEnabled: false, entryPointId: null })] } });
      expect(check(site, "CN-FR-02")).toEqual([]);
    });

    it("flags an FR camera whose entry point has no necessity note", () => {
      const [finding, ...rest] = check(compliantSite({ entryPoint: { necessityNote: "  " } }), "CN-FR-02");
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({
        severity: "high",
        target: { type: "camera", id: "cam-main", label: "Main gate camera" },
        message: expect.stringContaining("no necessity note"),
      });
    });

    it("flags an FR camera with no purpose, or with no entry point at all", () => {
      expect(check(compliantSite({ entryPoint: { purpose: null } }), "CN-FR-02")[0]?.message).toContain("no purpose");
      expect(check(compliantSite({ camera: { entryPointId: null } }), "CN-FR-02")).toMatchObject([
        { severity: "high", target: { id: "cam-main" } },
      ]);
    });
  });

  describe("CN-FR-03 notice", () => {
    it("judges only the newest notice version", () => {
      const site = compliantSite({
        notice: { rights: "" },
        add: { notices: [notice({ id: "notice-2", version: 2 })] },
      });
      expect(check(site, "CN-FR-03")).toEqual([]);
    });

    it("flags an active notice missing a required field", () => {
      expect(check(compliantSite({ notice: { rights: "", contact: " " } }), "CN-FR-03")).toMatchObject([
        {
          severity: "medium",
          target: { type: "notice", id: "notice-1", label: "Notice v1" },
          message: expect.stringContaining("rights, contact"),
        },
      ]);
    });

    it("flags a consent that does not record the notice version, naming the subject by pseudonym", () => {
      expect(check(compliantSite({ consent: { noticeId: null } }), "CN-FR-03")).toMatchObject([
        { severity: "medium", target: { type: "subject", id: "subj-1", label: "R-0001" } },
      ]);
    });

    it("flags a site running FR with no notice at all", () => {
      const site = { ...compliantSite(), notices: [] };
      expect(check(site, "CN-FR-03")).toMatchObject([{ severity: "medium", target: { type: "site", id: "site-1" } }]);
    });
  });

  describe("CN-FR-04 separate consent", () => {
    it("passes a template whose purpose changed once a new separate consent covers the new purpose", () => {
      const site = compliantSite({
        template: { purpose: "payment" },
        add: { consents: [consent({ subjectId: "subj-1", purpose: "payment", noticeId: "notice-1" })] },
      });
      expect(check(site, "CN-FR-04")).toEqual([]);
    });

    it("flags a template without any consent as critical", () => {
      const site = { ...compliantSite({ template: { consentId: null } }), consents: [] };
      expect(check(site, "CN-FR-04")).toMatchObject([
        {
          severity: "critical",
          target: { type: "template", id: "tpl-1", label: "Template of R-0001" },
          message: expect.stringContaining("no consent is linked"),
        },
      ]);
    });

    it("flags a bundled consent (high) and the template relying on it (critical)", () => {
      const findings = check(compliantSite({ consent: { isBundled: true } }), "CN-FR-04");
      expect(findings).toMatchObject([
        { severity: "critical", target: { type: "template", id: "tpl-1" } },
        { severity: "high", target: { type: "subject", id: "subj-1", label: "R-0001" } },
      ]);
    });

    it("flags a change of purpose without new consent", () => {
      expect(check(compliantSite({ template: { purpose: "payment" } }), "CN-FR-04")).toMatchObject([
        { severity: "critical", message: expect.stringContaining("now used for payment") },
      ]);
    });

    it("flags a template still used after its consent was withdrawn", () => {
      const site = compliantSite({ consent: { withdrawnAt: daysAgo(5) }, template: { lastUsedAt: daysAgo(1) } });
      expect(check(site, "CN-FR-04")).toMatchObject([{ severity: "critical", target: { id: "tpl-1" } }]);
    });

    it("leaves an unused template of a withdrawn consent to the deletion deadline (CN-PI-03)", () => {
      const site = compliantSite({ consent: { withdrawnAt: daysAgo(1) }, template: { lastUsedAt: daysAgo(2) } });
      expect(check(site, "CN-FR-04")).toEqual([]);
      expect(check(site, "CN-PI-03")).toEqual([]);
    });
  });

  describe("CN-FR-05 children under 14", () => {
    it("passes a minor whose guardian consented, and an adult by birth year", () => {
      expect(
        check(compliantSite({ subject: { isMinor: true }, consent: { guardianConsentAt: daysAgo(31) } }), "CN-FR-05"),
      ).toEqual([]);
      expect(check(compliantSite({ subject: { birthYear: 2010 } }), "CN-FR-05")).toEqual([]);
    });

    it("flags a minor with a template and no guardian consent", () => {
      expect(check(compliantSite({ subject: { isMinor: true } }), "CN-FR-05")).toMatchObject([
        { severity: "critical", target: { type: "subject", id: "subj-1", label: "R-0001" } },
      ]);
    });

    it("treats a subject who may still be 13 this year as a minor", () => {
      expect(check(compliantSite({ subject: { birthYear: NOW.getUTCFullYear() - 14 } }), "CN-FR-05")).toHaveLength(1);
    });
  });

  describe("CN-FR-06 on-device storage", () => {
    it("passes a central template with a separate transfer consent", () => {
      const site = compliantSite({
        template: { storage: "central" },
        consent: { scopes: ["recognition", "transfer"] },
      });
      expect(check(site, "CN-FR-06")).toEqual([]);
    });

    it("flags a central template without consent scope transfer", () => {
      const site = compliantSite({
        template: { storage: "central" },
        consent: { scopes: ["recognition", "central_storage"] },
      });
      expect(check(site, "CN-FR-06")).toMatchObject([{ severity: "high", target: { type: "template", id: "tpl-1" } }]);
    });
  });

  describe("CN-FR-07 retention, enforced by the retention job", () => {
    const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

    it("passes data that is due while the job runs: it deletes it within the hour", () => {
      const site = compliantSite({
        retention: { due: { templates: 4, recognition_events: 900, enrolment_photos: 2 } },
      });
      expect(check(site, "CN-FR-07")).toEqual([]);
    });

    it("passes a failed or stopped job while nothing is due, and ignores kinds that are not face data", () => {
      expect(check(compliantSite({ retention: { lastRun: retentionRun({ status: "failed" }) } }), "CN-FR-07")).toEqual(
        [],
      );
      expect(check(compliantSite({ retention: { lastRun: null } }), "CN-FR-07")).toEqual([]);
      const portal = compliantSite({ retention: { due: { portal_requests: 3 }, overdue: { portal_contact: 2 } } });
      expect(check(portal, "CN-FR-07")).toEqual([]);
    });

    it("flags each kind of face data still stored more than 2 hours past due, about the site, counts only", () => {
      const site = compliantSite({
        retention: { overdue: { templates: 3, enrolment_photos: 5, recognition_events: 7 } },
      });
      const findings = check(site, "CN-FR-07");
      expect(findings.map((finding) => [finding.code, finding.params.count])).toEqual([
        ["CN-FR-07.templatesOverdue", 3],
        ["CN-FR-07.photosOverdue", 5],
        ["CN-FR-07.eventsOverdue", 7],
      ]);
      for (const finding of findings) {
        expect(finding).toMatchObject({ severity: "high", target: { type: "site", id: "site-1" } });
        expect(finding.remediation).toContain("deletes this data automatically; it has not");
        expect(finding).not.toHaveProperty("action");
      }
    });

    it("flags a failed or interrupted last run while face data is due, once per site", () => {
      for (const status of ["failed", "interrupted"] as const) {
        const site = compliantSite({
          retention: { due: { templates: 2, recognition_events: 3 }, lastRun: retentionRun({ status }) },
        });
        expect(check(site, "CN-FR-07")).toMatchObject([
          { code: "CN-FR-07.retentionRunFailed", severity: "high", params: { count: 5 }, target: { type: "site" } },
        ]);
      }
    });

    it("flags a job that has not completed a run for more than 2 hours, or never ran, while data is due", () => {
      const stale = retentionRun({ startedAt: hoursAgo(2.2), finishedAt: hoursAgo(2.1) });
      const site = compliantSite({ retention: { due: { templates: 1 }, overdue: { templates: 1 }, lastRun: stale } });
      expect(check(site, "CN-FR-07")).toMatchObject([
        { code: "CN-FR-07.retentionNotRunning", params: { count: 1, hours: 2 } },
      ]);
      expect(
        check(compliantSite({ retention: { due: { enrolment_photos: 4 }, lastRun: null } }), "CN-FR-07"),
      ).toMatchObject([{ code: "CN-FR-07.retentionNotRunning", params: { count: 4 } }]);
      // A run under way for less than 2 hours is the job working.
      const running = retentionRun({ status: "running", startedAt: hoursAgo(1.5), finishedAt: null });
      expect(check(compliantSite({ retention: { due: { templates: 1 }, lastRun: running } }), "CN-FR-07")).toEqual([]);
    });

    it("judges nothing when the retention facts are absent", () => {
      expect(
        check({ ...compliantSite({ template: { createdAt: daysAgo(4000) } }), retention: undefined }, "CN-FR-07"),
      ).toEqual([]);
    });
  });

  describe("CN-FR-08 impact assessment", () => {
    it("passes a site without face recognition that has no assessment", () => {
      const site = compliantSite({
        assessment: null,
        camera: { frEnabled: false },
        entryPoint: { faceRecognition: false },
      });
      expect(check(site, "CN-FR-08")).toEqual([]);
    });

    it("flags FR without an assessment", () => {
      expect(check(compliantSite({ assessment: null }), "CN-FR-08")).toMatchObject([
        { severity: "high", target: { type: "site", id: "site-1", label: "Harbour View Residences" } },
      ]);
    });

    it("flags an assessment older than the last material change", () => {
      const site = compliantSite({
        assessment: { completedAt: daysAgo(90) },
        site: { lastMaterialChangeAt: daysAgo(60) },
      });
      expect(check(site, "CN-FR-08")).toMatchObject([{ message: expect.stringContaining("predates") }]);
    });

    it("refuses deleting an assessment younger than 3 years", () => {
      const young = { id: "a", scope: "all", completedAt: new Date("2023-06-17T00:00:00Z") };
      const old = { ...young, completedAt: new Date("2022-06-16T00:00:00Z") };
      expect(assessmentDeletionRefusal(young, NOW)).toContain("2026-06-17");
      expect(assessmentDeletionRefusal(old, NOW)).toBeNull();
    });
  });

  describe("CN-FR-09 alternatives", () => {
    it("passes an entry point without face recognition and without alternatives", () => {
      const site = compliantSite({ add: { entryPoints: [entryPoint({ faceRecognition: false, alternatives: [] })] } });
      expect(check(site, "CN-FR-09")).toEqual([]);
    });

    it("flags an FR entry point with no alternative", () => {
      expect(check(compliantSite({ entryPoint: { alternatives: [] } }), "CN-FR-09")).toMatchObject([
        { severity: "critical", target: { type: "entryPoint", id: "ep-main", label: "Main gate" } },
      ]);
    });

    it("counts an entry point served by an FR camera as an FR entry point", () => {
      const site = compliantSite({ entryPoint: { faceRecognition: false, alternatives: [] } });
      expect(check(site, "CN-FR-09")).toHaveLength(1);
    });
  });

  describe("CN-FR-11 no pressure", () => {
    it("passes when alternatives are shown beside face recognition", () => {
      expect(check(compliantSite({ entryPoint: { faceIsDefault: false } }), "CN-FR-11")).toEqual([]);
    });

    it("flags face presented as the only option", () => {
      expect(check(compliantSite({ entryPoint: { faceIsDefault: true } }), "CN-FR-11")).toMatchObject([
        { severity: "medium", target: { type: "entryPoint", id: "ep-main" } },
      ]);
    });
  });

  describe("CN-FR-12 public places", () => {
    it("passes public security with a recorded capture-area limit, and FR outside public places", () => {
      const publicSecurity = compliantSite({
        entryPoint: { isPublicPlace: true, purpose: "public_security", captureAreaNote: "Gate lane only, 3 m deep" },
      });
      expect(check(publicSecurity, "CN-FR-12")).toEqual([]);
      expect(check(compliantSite(), "CN-FR-12")).toEqual([]);
    });

    it("flags a public-place FR camera for another purpose as critical, whatever consents exist", () => {
      // The compliant site's resident consented to entry verification: that does not make it lawful here.
      const site = compliantSite({ entryPoint: { isPublicPlace: true } });
      expect(site.consents[0]?.purpose).toBe("entry_verification");
      expect(check(site, "CN-FR-12")).toMatchObject([
        {
          code: "CN-FR-12.publicPlaceWithoutBasis",
          severity: "critical",
          target: { type: "camera", id: "cam-main" },
          message: expect.stringContaining("entry verification"),
        },
      ]);
      const checkIn = compliantSite({ entryPoint: { isPublicPlace: true, purpose: "check_in" } });
      expect(check(checkIn, "CN-FR-12")).toMatchObject([
        { severity: "critical", message: expect.stringContaining("check in") },
      ]);
    });

    it("flags public security with no recorded capture-area limit as medium", () => {
      for (const captureAreaNote of [null, "  ", undefined]) {
        const site = compliantSite({
          entryPoint: { isPublicPlace: true, purpose: "public_security", captureAreaNote },
        });
        expect(check(site, "CN-FR-12")).toMatchObject([
          { code: "CN-FR-12.captureAreaNotLimited", severity: "medium", target: { id: "cam-main" } },
        ]);
      }
    });

    it("treats every camera of a public-place site as public", () => {
      const site = compliantSite({ site: { isPublicPlace: true }, entryPoint: { purpose: "monitoring" } });
      expect(check(site, "CN-FR-12")).toMatchObject([{ severity: "critical" }]);
      expect(
        check(compliantSite({ site: { isPublicPlace: true }, camera: { entryPointId: null } }), "CN-FR-12"),
      ).toMatchObject([{ code: "CN-FR-12.publicPlaceNoPurpose", severity: "critical" }]);
    });
  });

  describe("CN-FR-13 and CN-CAM-01 private spaces", () => {
    it("pass cameras in ordinary places", () => {
      const site = compliantSite({ camera: { locationType: "lobby" } });
      expect(check(site, "CN-FR-13")).toEqual([]);
      expect(check(site, "CN-CAM-01")).toEqual([]);
    });

    it("flag an FR camera in a changing room under both rules", () => {
      const site = compliantSite({ camera: { locationType: "changing_room" } });
      expect(check(site, "CN-FR-13")).toMatchObject([
        { severity: "critical", target: { type: "camera", id: "cam-main" } },
      ]);
      expect(check(site, "CN-CAM-01")).toMatchObject([
        { severity: "critical", target: { type: "camera", id: "cam-main" } },
      ]);
    });

    it("flag even a disabled plain camera in a public toilet (CN-CAM-01 only), as the API would refuse it", () => {
      const toilet = camera({
        id: "cam-wc",
        name: "WC",
        locationType: "public_toilet",
        frEnabled: false,
        disabled: true,
      });
      const site = compliantSite({ add: { cameras: [toilet] } });
      expect(check(site, "CN-FR-13")).toEqual([]);
      expect(check(site, "CN-CAM-01")).toMatchObject([{ severity: "critical", target: { id: "cam-wc", label: "WC" } }]);
      expect(checkCameraPlacement(toilet)?.ruleId).toBe("CN-CAM-01");
    });
  });

  describe("CN-CAM-02 signs", () => {
    it("passes a camera covered directly by a verified sign", () => {
      const site = compliantSite({ sign: { entryPointIds: [], cameraIds: ["cam-main"] } });
      expect(check(site, "CN-CAM-02")).toEqual([]);
    });

    it("flags an FR camera whose sign was last verified 91 days ago, or never", () => {
      const stale = check(compliantSite({ sign: { verifiedAt: daysAgo(91) } }), "CN-CAM-02");
      expect(stale).toMatchObject([{ severity: "high", target: { type: "camera", id: "cam-main" } }]);
      expect(check(compliantSite({ sign: { verifiedAt: null } }), "CN-CAM-02")).toHaveLength(1);
    });

    it("honours a configured maximum age", () => {
      const site = compliantSite({ sign: { verifiedAt: daysAgo(91) } });
      expect(check(site, "CN-CAM-02", { settings: { signVerificationMaxAgeDays: 120 } })).toEqual([]);
    });

    it("flags any other camera not covered as medium, ignores disabled ones, and reports both coverages", () => {
      const site = compliantSite({
        add: {
          cameras: [
            camera({ id: "cam-plain", name: "Bike shed", frEnabled: false }),
            camera({ id: "cam-plain-signed", name: "Lift lobby", frEnabled: false, entryPointId: "ep-main" }),
            camera({ id: "cam-off", name: "Old camera", frEnabled: false, disabled: true }),
            camera({ id: "cam-2", entryPointId: null, name: "Car park" }),
          ],
          signs: [sign({ cameraIds: ["cam-2"], verifiedAt: daysAgo(100) })],
        },
      });
      const result = evaluateSite(site, evaluationContext());
      expect(findingsFor(result, "CN-CAM-02")).toMatchObject([
        { code: "CN-CAM-02.signMissing", severity: "high", target: { id: "cam-2" } },
        { code: "CN-CAM-02.cameraSignMissing", severity: "medium", target: { id: "cam-plain", label: "Bike shed" } },
      ]);
      expect(result.coverage.signage).toBe(0.5);
      expect(result.coverage.signageAllCameras).toBe(0.5);
    });
  });

  describe("CN-FR-14 security", () => {
    it("passes encrypted templates and an intact audit chain", () => {
      expect(check(compliantSite(), "CN-FR-14")).toEqual([]);
      expect(evaluateOrganization(organizationFacts()).findings).toEqual([]);
    });

    it("flags an unencrypted template", () => {
      expect(check(compliantSite({ template: { encrypted: false } }), "CN-FR-14")).toMatchObject([
        { severity: "critical", target: { type: "template", id: "tpl-1" } },
      ]);
    });

    it("flags a broken audit chain for the whole organisation", () => {
      expect(evaluateOrganization(organizationFacts({ auditChainOk: false })).findings).toMatchObject([
        {
          ruleId: "CN-FR-14",
          severity: "critical",
          target: { type: "organization", id: "org-1", label: "Harbour Holdings" },
        },
      ]);
    });
  });

  describe("CN-FR-15 filing", () => {
    const run = (subjectsWithTemplates: number, filing: Parameters<typeof organizationFacts>[0] = {}) =>
      cnFr15.check({ facts: organizationFacts(filing), subjectsWithTemplates }, createRuleContext(evaluationContext()));
    const filing = (overrides: object) => ({
      organization: {
        filing: { thresholdReachedAt: null, filedAt: null, reference: null, deregisteredAt: null, ...overrides },
      },
    });

    it("passes below 80% of the threshold, and once filed", () => {
      expect(run(79_999)).toEqual([]);
      expect(
        run(150_000, filing({ thresholdReachedAt: daysAgo(200), filedAt: daysAgo(170), reference: "SH-1" })),
      ).toEqual([]);
    });

    it("advises (info) from 80% of the threshold", () => {
      expect(run(80_000)).toMatchObject([
        {
          ruleId: "CN-FR-15",
          severity: "info",
          target: { type: "organization", id: "org-1" },
          message: expect.stringContaining("80%"),
        },
      ]);
    });

    it("reports the deadline (info) within 30 working days of reaching 100,000", () => {
      // Reached Tue 10 Jun 2025: 30 working days later is Tue 22 Jul.
      const [finding] = run(100_000, filing({ thresholdReachedAt: new Date("2025-06-10T02:00:00Z") }));
      expect(finding).toMatchObject({ severity: "info", message: expect.stringContaining("2025-07-22") });
    });

    it("flags a filing not made 30 working days after the threshold as critical", () => {
      // Reached 1 Apr 2025: Qingming, Labour Day and the 27 April make-up day put the deadline on 16 May.
      expect(run(100_000, filing({ thresholdReachedAt: new Date("2025-04-01T02:00:00Z") }))).toMatchObject([
        { severity: "critical", target: { type: "organization" }, message: expect.stringContaining("2025-05-16") },
      ]);
    });

    it("asks for a new filing when a deregistered handler crosses the threshold again", () => {
      const deregistered = filing({
        thresholdReachedAt: daysAgo(400),
        filedAt: daysAgo(380),
        deregisteredAt: daysAgo(100),
      });
      expect(run(100_000, deregistered)).toMatchObject([{ severity: "info" }]);
    });
  });

  describe("CN-PI-03 deletion", () => {
    const approvedDeletion = (overrides = {}) =>
      dsrRequest({
        id: "req-del",
        reference: "DSR-7Q2K",
        type: "deletion",
        status: "approved",
        verifiedAt: new Date("2025-05-07T02:00:00Z"), // due 28 May
        closedAt: null,
        ...overrides,
      });

    it("passes an approved deletion with its certificate, and one still within the deadline", () => {
      expect(
        check(
          compliantSite({ add: { requests: [approvedDeletion({ certificateIssuedAt: daysAgo(30) })] } }),
          "CN-PI-03",
        ),
      ).toEqual([]);
      const recent = approvedDeletion({ verifiedAt: new Date("2025-05-27T02:00:00Z") }); // due 18 June
      expect(check(compliantSite({ add: { requests: [recent] } }), "CN-PI-03")).toEqual([]);
    });

    it("flags an approved deletion without a certificate after the deadline", () => {
      expect(check(compliantSite({ add: { requests: [approvedDeletion()] } }), "CN-PI-03")).toMatchObject([
        { severity: "critical", target: { type: "request", id: "req-del", label: "DSR-7Q2K" } },
      ]);
    });

    it("flags a withdrawal request and ignores a refused one", () => {
      const withdrawal = approvedDeletion({ type: "withdrawal", status: "in_progress" });
      expect(check(compliantSite({ add: { requests: [withdrawal] } }), "CN-PI-03")).toHaveLength(1);
      const refused = approvedDeletion({ status: "refused", refusalReason: "Not our customer" });
      expect(check(compliantSite({ add: { requests: [refused] } }), "CN-PI-03")).toEqual([]);
    });

    it("flags a template kept past the deadline after its consent was withdrawn", () => {
      const site = compliantSite({ consent: { withdrawnAt: daysAgo(40) }, template: { lastUsedAt: daysAgo(41) } });
      expect(check(site, "CN-PI-03")).toMatchObject([
        { severity: "critical", target: { type: "template", id: "tpl-1" } },
      ]);
    });

    it("flags enrolment photos left under a withdrawn consent past the deadline, naming the subject by pseudonym", () => {
      const photos = (consentId: string, count: number) => [{ subjectId: "subj-1", consentId, count }];
      const withdrawn = (days: number, count = 2) => ({
        ...compliantSite({ consent: { withdrawnAt: daysAgo(days) } }),
        templates: [],
        photos: photos("consent-1", count),
      });
      expect(check(withdrawn(40), "CN-PI-03")).toMatchObject([
        {
          code: "CN-PI-03.photosKeptAfterWithdrawal",
          severity: "critical",
          params: { count: 2 },
          target: { type: "subject", id: "subj-1", label: "R-0001" },
        },
      ]);
      expect(check(withdrawn(1), "CN-PI-03")).toEqual([]);
      expect(check(withdrawn(40, 0), "CN-PI-03")).toEqual([]);
      // Photos under a consent that stands are the retention job's business (CN-FR-07), not this rule's.
      expect(check({ ...compliantSite(), photos: photos("consent-1", 3) }, "CN-PI-03")).toEqual([]);
    });
  });

  describe("CN-PI-06 refusals", () => {
    it("passes a refusal with a reason", () => {
      const refused = dsrRequest({ status: "refused", refusalReason: "Identity could not be verified." });
      expect(check(compliantSite({ add: { requests: [refused] } }), "CN-PI-06")).toEqual([]);
    });

    it("flags a refusal without a reason", () => {
      const refused = dsrRequest({ id: "req-r", status: "refused", refusalReason: " " });
      expect(check(compliantSite({ add: { requests: [refused] } }), "CN-PI-06")).toMatchObject([
        { severity: "high", target: { type: "request", id: "req-r", label: "access request" } },
      ]);
    });
  });

  describe("CN-DSR-SLA", () => {
    const open = (verifiedAt: Date, overrides = {}) =>
      dsrRequest({ id: "req-open", status: "in_progress", verifiedAt, closedAt: null, ...overrides });

    it("passes an open request within 15 working days of verification, and one not yet verified", () => {
      const site = compliantSite({
        add: {
          requests: [
            open(new Date("2025-05-27T02:00:00Z")),
            dsrRequest({ status: "pending_verification", verifiedAt: null, closedAt: null }),
          ],
        },
      });
      expect(check(site, "CN-DSR-SLA")).toEqual([]);
    });

    it("flags an open request past its deadline", () => {
      const site = compliantSite({ add: { requests: [open(new Date("2025-05-07T02:00:00Z"))] } });
      expect(check(site, "CN-DSR-SLA")).toMatchObject([
        {
          severity: "high",
          target: { type: "request", id: "req-open" },
          message: expect.stringContaining("2025-05-28"),
        },
      ]);
    });

    it("holds a request to an earlier recorded due date, and to configured working days", () => {
      const recorded = open(new Date("2025-06-05T02:00:00Z"), { dueAt: daysAgo(1) });
      expect(check(compliantSite({ add: { requests: [recorded] } }), "CN-DSR-SLA")).toHaveLength(1);
      const site = compliantSite({ add: { requests: [open(new Date("2025-06-05T02:00:00Z"))] } });
      expect(check(site, "CN-DSR-SLA")).toEqual([]);
      expect(check(site, "CN-DSR-SLA", { settings: { dsrWorkingDays: 5 } })).toHaveLength(1);
    });

    it("reports the on-time rate of answered requests", () => {
      const late = dsrRequest({
        verifiedAt: new Date("2025-05-07T02:00:00Z"),
        closedAt: new Date("2025-05-30T02:00:00Z"),
      });
      const site = compliantSite({ add: { requests: [dsrRequest(), late, open(daysAgo(1))] } });
      expect(evaluateSite(site, evaluationContext()).coverage.requestsOnTime).toBe(0.5);
    });
  });

  describe("CN-SITE-01 region changes", () => {
    const moved = (at: Date) =>
      compliantSite({ site: { regionChanges: [{ at, fromRegion: "310115", toRegion: "330106" }] } });

    it("reports a move for 90 days as info, naming both regions and the Shanghai date, at no cost to the score", () => {
      const evaluation = evaluateSite(moved(new Date(NOW.getTime() - 5 * 86_400_000)), evaluationContext());
      expect(evaluation.findings).toEqual([
        expect.objectContaining({
          ruleId: "CN-SITE-01",
          code: "CN-SITE-01.regionChanged",
          severity: "info",
          params: { fromRegion: "310115", toRegion: "330106", date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
          target: expect.objectContaining({ type: "site" }),
        }),
      ]);
      expect(evaluation.score).toBe(100);
      expect(check(moved(daysAgo(91)), "CN-SITE-01")).toEqual([]);
      expect(check(compliantSite(), "CN-SITE-01")).toEqual([]);
    });
  });

  it("names people only by pseudonym", () => {
    const site = compliantSite({
      subject: { isMinor: true },
      consent: { isBundled: true, noticeId: null },
      add: secondResident({ isBundled: true }),
    });
    const findings = evaluateSite(site, evaluationContext()).findings;
    const aboutPeople = findings.filter((finding) => ["subject", "template"].includes(finding.target.type));
    expect(aboutPeople.length).toBeGreaterThanOrEqual(5);
    for (const finding of aboutPeople) expect(finding.target.label).toMatch(/^(Template of )?R-000[12]$/);
  });
});
