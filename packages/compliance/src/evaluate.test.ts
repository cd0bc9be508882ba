import { describe, expect, it } from "vitest";
import { evaluateOrganization, evaluateSite } from "./evaluate";
import type { Finding, Severity } from "./findings";
import { scoreFindings } from "./score";
import {
  compliantSite,
  consent,
  dsrRequest,
  entryPoint,
  evaluationContext,
  organizationFacts,
  subject,
  template,
} from "./testing";

const finding = (severity: Severity): Finding => ({
  ruleId: "X",
  code: "CN-FR-14.auditChainBroken",
  params: {},
  severity,
  target: { type: "site", id: "s", label: "s" },
  message: "",
  remediation: "",
});
const findings = (counts: Partial<Record<Severity, number>>) =>
  Object.entries(counts).flatMap(([severity, count]) =>
    Array.from({ length: count }, () => finding(severity as Severity)),
  );

describe("score", () => {
  it("subtracts 10 per high, 4 per medium and nothing for advice", () => {
    expect(scoreFindings([])).toBe(100);
    expect(scoreFindings(findings({ high: 1 }))).toBe(90);
    expect(scoreFindings(findings({ high: 2, medium: 1, info: 5 }))).toBe(76);
  });

  it("caps the score at 40 with any critical finding, and subtracts 30 per critical", () => {
    expect(scoreFindings(findings({ critical: 1 }))).toBe(40);
    expect(scoreFindings(findings({ critical: 2, high: 1 }))).toBe(30);
  });

  it("never goes below 0", () => {
    expect(scoreFindings(findings({ high: 11 }))).toBe(0);
    expect(scoreFindings(findings({ critical: 4 }))).toBe(0);
  });
});

describe("evaluateSite", () => {
  it("sorts findings worst first", () => {
    const site = compliantSite({
      entryPoint: { faceIsDefault: true, alternatives: [] },
      sign: { verifiedAt: null },
    });
    const result = evaluateSite(site, evaluationContext());
    expect(result.findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual([
      "critical CN-FR-09",
      "high CN-CAM-02",
      "medium CN-FR-11",
    ]);
    expect(result.score).toBe(40); // 100 - 30 - 10 - 4 = 56, capped by the critical finding
  });

  it("measures coverage as shares of what there is to measure", () => {
    const site = compliantSite({
      add: {
        entryPoints: [entryPoint({ id: "ep-2", alternatives: [] })],
        subjects: [subject({ id: "subj-2" })],
        templates: [template({ subjectId: "subj-2" })],
      },
    });
    expect(evaluateSite(site, evaluationContext()).coverage).toEqual({
      signage: 1,
      signageAllCameras: 1,
      consent: 0.5,
      alternatives: 0.5,
      requestsOnTime: null,
    });
  });

  it("reports null coverage where there is nothing to measure", () => {
    const site = {
      ...compliantSite({ camera: { frEnabled: false }, entryPoint: { faceRecognition: false } }),
      templates: [],
    };
    expect(evaluateSite(site, evaluationContext()).coverage).toEqual({
      signage: null,
      // The camera without face recognition still needs its sign (CN-CAM-02), and has it.
      signageAllCameras: 1,
      consent: null,
      alternatives: null,
      requestsOnTime: null,
    });
  });

  it("counts only answered requests that had a deadline for the on-time rate", () => {
    const site = compliantSite({
      add: { requests: [dsrRequest(), dsrRequest({ verifiedAt: null, closedAt: new Date("2025-06-01T00:00:00Z") })] },
    });
    expect(evaluateSite(site, evaluationContext()).coverage.requestsOnTime).toBe(1);
  });
});

describe("evaluateOrganization", () => {
  const bad = compliantSite({ site: { id: "site-bad", name: "Bad" }, entryPoint: { alternatives: [] } });
  const worse = compliantSite({
    site: { id: "site-worse", name: "Worse" },
    entryPoint: { alternatives: [] },
    template: { encrypted: false },
  });

  it("evaluates every site in order and names the worst", () => {
    const result = evaluateOrganization(organizationFacts({ sites: [compliantSite(), worse, bad] }));
    expect(result.sites.map((site) => [site.siteId, site.score])).toEqual([
      ["site-1", 100],
      ["site-worse", 40],
      ["site-bad", 40],
    ]);
    expect(result.worstSiteId).toBe("site-worse"); // same score, more critical findings
    expect(result).toMatchObject({ organizationId: "org-1", profile: "CN", findings: [] });
  });

  it("has no worst site without sites", () => {
    expect(evaluateOrganization(organizationFacts({ sites: [] })).worstSiteId).toBeNull();
  });

  it("counts each subject with templates once across sites for the filing", () => {
    const second = compliantSite({ site: { id: "site-2" }, add: { subjects: [subject({ id: "subj-9" })] } });
    second.templates.push(template({ subjectId: "subj-9", consentId: null }));
    const result = evaluateOrganization(organizationFacts({ sites: [compliantSite(), second] }));
    expect(result.filing).toEqual({
      subjectsWithTemplates: 2,
      threshold: 100_000,
      status: "not_required",
      dueAt: null,
    });
  });

  it("reports the filing as not required outside the CN profile, and ignores CN-only organisation rules", () => {
    const result = evaluateOrganization(organizationFacts({ profile: "EU", auditChainOk: false }));
    expect(result.filing.status).toBe("not_required");
    expect(result.findings).toEqual([]);
  });

  it("applies the organisation's settings to every site", () => {
    const site = compliantSite({ sign: { verifiedAt: new Date("2025-03-01T00:00:00Z") } });
    expect(evaluateOrganization(organizationFacts({ sites: [site] })).sites[0]?.findings).toHaveLength(1);
    const lenient = organizationFacts({ sites: [site], settings: { signVerificationMaxAgeDays: 365 } });
    expect(evaluateOrganization(lenient).sites[0]?.findings).toEqual([]);
  });

  it("leaves the facts untouched", () => {
    const facts = organizationFacts({
      sites: [compliantSite({ add: { consents: [consent({ subjectId: "subj-1", isBundled: true })] } }), worse],
    });
    const before = structuredClone(facts);
    evaluateOrganization(facts);
    expect(facts).toEqual(before);
  });
});
