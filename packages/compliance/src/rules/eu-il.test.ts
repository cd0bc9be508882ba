import { describe, expect, it } from "vitest";
import { evaluateSite } from "../evaluate";
import type { SiteFacts } from "../facts";
import { compliantSite, daysAgo, dsrRequest, evaluationContext, findingsFor, retentionRun } from "../testing";

const years = (n: number) => n * 365.25;

describe("EU profile (GDPR)", () => {
  const eu = (site: SiteFacts) => evaluateSite(site, evaluationContext({ profile: "EU" }));
  const check = (site: SiteFacts, ruleId: string) => findingsFor(eu(site), ruleId);

  it("finds nothing wrong with the compliant fixture, and reports only EU rule ids", () => {
    expect(eu(compliantSite())).toMatchObject({ findings: [], score: 100 });
    const broken = eu(
      compliantSite({ entryPoint: { alternatives: [] }, consent: { isBundled: true }, assessment: null }),
    );
    expect(new Set(broken.findings.map((finding) => finding.ruleId))).toEqual(new Set(["EU-09", "EU-35"]));
  });

  describe("EU-09 explicit consent", () => {
    it("passes a template under an explicit, separate consent", () => {
      expect(check(compliantSite(), "EU-09")).toEqual([]);
    });

    it("runs CN-FR-04's checks under its own id", () => {
      expect(check(compliantSite({ consent: { isBundled: true } }), "EU-09")).toMatchObject([
        {
          severity: "critical",
          target: { type: "template", id: "tpl-1" },
          remediation: expect.stringContaining("GDPR"),
        },
        { severity: "high", target: { type: "subject", label: "R-0001" } },
      ]);
    });
  });

  describe("EU-SLA one month", () => {
    // Verified Saturday 10 May 2025, 10:00 in Brussels: due at the end of 10 June.
    const verified = new Date("2025-05-10T08:00:00Z");
    const open = (overrides = {}) =>
      dsrRequest({ id: "req-eu", status: "in_progress", verifiedAt: verified, closedAt: null, ...overrides });

    it("passes an open request within the month, and one extended with notice in time", () => {
      expect(
        check(compliantSite({ add: { requests: [open({ verifiedAt: new Date("2025-05-20T08:00:00Z") })] } }), "EU-SLA"),
      ).toEqual([]);
      const extended = open({ extensionNotifiedAt: new Date("2025-05-20T08:00:00Z") });
      expect(check(compliantSite({ add: { requests: [extended] } }), "EU-SLA")).toEqual([]);
    });

    it("flags an open request past one month, and an extension notified too late", () => {
      expect(check(compliantSite({ add: { requests: [open()] } }), "EU-SLA")).toMatchObject([
        { severity: "high", target: { type: "request", id: "req-eu" }, message: expect.stringContaining("2025-06-10") },
      ]);
      const late = open({ extensionNotifiedAt: new Date("2025-06-12T08:00:00Z") });
      expect(check(compliantSite({ add: { requests: [late] } }), "EU-SLA")).toHaveLength(1);
    });
  });

  describe("EU-17 erasure", () => {
    const deletion = (overrides = {}) =>
      dsrRequest({
        id: "req-erase",
        type: "deletion",
        status: "approved",
        verifiedAt: new Date("2025-05-10T08:00:00Z"),
        closedAt: null,
        ...overrides,
      });

    it("passes an erasure with its certificate, and a withdrawal less than a month old", () => {
      expect(
        check(compliantSite({ add: { requests: [deletion({ certificateIssuedAt: daysAgo(20) })] } }), "EU-17"),
      ).toEqual([]);
      const site = compliantSite({ consent: { withdrawnAt: daysAgo(25) }, template: { lastUsedAt: daysAgo(26) } });
      expect(check(site, "EU-17")).toEqual([]);
    });

    it("flags an erasure without a certificate after the deadline, and a template kept a month after withdrawal", () => {
      expect(check(compliantSite({ add: { requests: [deletion()] } }), "EU-17")).toMatchObject([
        { severity: "critical", target: { type: "request", id: "req-erase" } },
      ]);
      const site = compliantSite({ consent: { withdrawnAt: daysAgo(32) }, template: { lastUsedAt: daysAgo(33) } });
      expect(check(site, "EU-17")).toMatchObject([{ severity: "critical", target: { type: "template", id: "tpl-1" } }]);
    });
  });

  describe("EU-35 DPIA", () => {
    it("passes a current assessment", () => {
      expect(check(compliantSite(), "EU-35")).toEqual([]);
    });

    it("flags biometric processing without a DPIA, or with one older than the last material change", () => {
      expect(check(compliantSite({ assessment: null }), "EU-35")).toMatchObject([
        { severity: "high", target: { type: "site", id: "site-1" }, message: expect.stringContaining("DPIA") },
      ]);
      expect(check(compliantSite({ assessment: { completedAt: daysAgo(61) } }), "EU-35")).toHaveLength(1);
    });
  });
});

describe("US-IL profile (BIPA)", () => {
  const il = (site: SiteFacts) => evaluateSite(site, evaluationContext({ profile: "US-IL" }));
  const check = (site: SiteFacts, ruleId: string) => findingsFor(il(site), ruleId);

  it("finds nothing wrong with the compliant fixture", () => {
    expect(il(compliantSite())).toMatchObject({ findings: [], score: 100 });
  });

  describe("IL-15a retention schedule and destruction", () => {
    it("passes a template within its schedule, and a withdrawal less than 30 days old", () => {
      expect(check(compliantSite(), "IL-15a")).toEqual([]);
      const site = compliantSite({ consent: { withdrawnAt: daysAgo(10) }, template: { lastUsedAt: daysAgo(11) } });
      expect(check(site, "IL-15a")).toEqual([]);
    });

    it("flags a site without a public retention schedule", () => {
      expect(check(compliantSite({ notice: { retention: "" } }), "IL-15a")).toMatchObject([
        { severity: "high", target: { type: "site", id: "site-1" } },
      ]);
    });

    it("flags a template 3 years after the last interaction when the site keeps templates longer than that", () => {
      const site = compliantSite({
        site: { templateRetentionDays: 5000 },
        template: { createdAt: daysAgo(years(4)), lastUsedAt: daysAgo(years(3) + 2) },
      });
      expect(check(site, "IL-15a")).toMatchObject([
        {
          code: "IL-15a.lastInteractionExpired",
          severity: "high",
          target: { type: "template", id: "tpl-1" },
          message: expect.stringContaining("3 years"),
          remediation: expect.stringContaining("1,095 days"),
        },
      ]);
      // Within the site's period the job destroys it: only a missed deletion is reported, as a count.
      const old = compliantSite({ template: { createdAt: daysAgo(years(4)), lastUsedAt: daysAgo(years(3) + 2) } });
      expect(check(old, "IL-15a")).toEqual([]);
    });

    it("flags templates the retention job left more than 2 hours past due, or a job that failed while some are due", () => {
      expect(
        check(compliantSite({ retention: { overdue: { templates: 4, enrolment_photos: 9 } } }), "IL-15a"),
      ).toMatchObject([
        { code: "IL-15a.templatesOverdue", params: { count: 4 }, target: { type: "site", id: "site-1" } },
      ]);
      const failed = compliantSite({
        retention: { due: { templates: 2 }, lastRun: retentionRun({ status: "failed" }) },
      });
      expect(check(failed, "IL-15a")).toMatchObject([{ code: "IL-15a.retentionRunFailed", params: { count: 2 } }]);
      // Photos are not biometric identifiers under BIPA.
      const photosOnly = compliantSite({ retention: { due: { enrolment_photos: 2 }, lastRun: null } });
      expect(check(photosOnly, "IL-15a")).toEqual([]);
    });

    it("flags a template whose purpose ended with a withdrawal 30 days ago", () => {
      const withdrawn = compliantSite({ consent: { withdrawnAt: daysAgo(31) }, template: { lastUsedAt: daysAgo(32) } });
      expect(check(withdrawn, "IL-15a")).toMatchObject([
        { code: "IL-15a.consentWithdrawn", message: expect.stringContaining("withdrew") },
      ]);
    });
  });

  describe("IL-15b written notice and release", () => {
    it("passes a written release even when bundled (BIPA does not ask for separate consent)", () => {
      const site = compliantSite({ consent: { isBundled: true, isSeparate: false } });
      expect(check(site, "IL-15b")).toEqual([]);
      expect(il(site).coverage.consent).toBe(1);
    });

    it("flags a template collected before the release was signed", () => {
      const site = compliantSite({ consent: { givenAt: daysAgo(10) }, template: { createdAt: daysAgo(30) } });
      expect(check(site, "IL-15b")).toMatchObject([
        { severity: "critical", target: { type: "template", id: "tpl-1" } },
      ]);
    });

    it("flags a release given without a written notice of purpose and term", () => {
      expect(check(compliantSite({ consent: { noticeId: null } }), "IL-15b")).toHaveLength(1);
      expect(check(compliantSite({ notice: { retention: " " } }), "IL-15b")).toHaveLength(1);
    });
  });
});
