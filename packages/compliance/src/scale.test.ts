import { describe, expect, it } from "vitest";
import { evaluateOrganization, evaluateSite } from "./evaluate";
import { evaluationContext, generateOrganization } from "./testing";

// A sanity run at the size the engine is built for; timings are printed, not asserted
// (benchmarks live elsewhere).
describe("a large organisation", () => {
  it("evaluates 500 sites, 10,000 cameras and 100,000 templates", () => {
    const facts = generateOrganization({ sites: 500, camerasPerSite: 20, templatesPerSite: 200 });
    const started = performance.now();
    const result = evaluateOrganization(facts);
    const organizationMs = performance.now() - started;

    const site = facts.sites[0];
    if (!site) throw new Error("no site generated");
    const siteStarted = performance.now();
    evaluateSite(site, evaluationContext());
    const siteMs = performance.now() - siteStarted;
    console.log(`evaluateOrganization: ${organizationMs.toFixed(0)} ms; evaluateSite: ${siteMs.toFixed(1)} ms`);

    expect(result.sites).toHaveLength(500);
    expect(result.sites.every((evaluation) => evaluation.score === 100)).toBe(true);
    expect(result.filing).toMatchObject({ subjectsWithTemplates: 100_000, status: "due" });
    expect(result.findings).toMatchObject([{ ruleId: "CN-FR-15", severity: "info" }]);
  }, 60_000);
});
