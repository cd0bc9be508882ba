import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FINDING_CODES } from "@consentry/compliance";
import { sampleFindings } from "@consentry/compliance/testing";
import { describe, expect, it } from "vitest";
import { inFixOrder, remediationFor } from "./remediation";

const SITE = "11111111-1111-4111-8111-111111111111";
const sitePage = fileURLToPath(new URL("../sites/[siteId]/", import.meta.url));
/** The anchors of the site page's sections (`id="…"` on a Section or heading). */
const siteAnchors = new Set(
  readdirSync(sitePage)
    .filter((file) => file.endsWith(".tsx"))
    .flatMap((file) => [...readFileSync(join(sitePage, file), "utf8").matchAll(/\bid="([a-z-]+)"/g)])
    .map((match) => match[1]),
);
/** Anchors the site page does not have yet (reported): the link still opens the page. */

describe("remediation links", () => {
  it("send every finding the engine can produce to the page of the form that fixes it", () => {
    const findings = sampleFindings();
    expect(new Set(findings.map((finding) => finding.code))).toEqual(new Set(FINDING_CODES));
    for (const finding of findings) {
      const { href } = remediationFor(finding, SITE);
      expect(href, finding.code).toMatch(/^\/(sites|cameras|people|requests|compliance|audit-chain)\b/);
      const anchor = href.split("#")[1];
      if (href.startsWith("/sites/") && anchor) {
        expect(siteAnchors, `${finding.code} links to #${anchor}`).toContain(anchor);
      }
    }
  });

  it("open the thing a finding is about", () => {
    expect(remediationFor({ code: "CN-FR-13.frInPrivateSpace", target: { type: "camera", id: "c1" } }, SITE)).toEqual({
      action: "camera",
      href: "/cameras/c1",
    });
    expect(remediationFor({ code: "CN-DSR-SLA.requestOverdue", target: { type: "request", id: "r1" } }, SITE)).toEqual({
      action: "request",
      href: "/requests/r1",
    });
    expect(
      remediationFor({ code: "CN-FR-03.consentWithoutNoticeVersion", target: { type: "subject", id: "s1" } }, SITE),
    ).toEqual({ action: "noticeVersion", href: "/people/s1" });
    expect(remediationFor({ code: "CN-FR-08.assessmentMissing", target: { type: "site", id: SITE } }, SITE)).toEqual({
      action: "assessment",
      href: `/sites/${SITE}#assessments`,
    });
    // A template's person, once the engine names them; the people list until then.
    const template = { type: "template", id: "t1" };
    expect(remediationFor({ code: "CN-FR-06.centralWithoutTransferConsent", target: template }, SITE).href).toBe(
      "/people",
    );
    expect(
      remediationFor(
        { code: "CN-FR-06.centralWithoutTransferConsent", target: { ...template, subjectId: "s2" } as typeof template },
        SITE,
      ),
    ).toEqual({ action: "transferConsent", href: "/people/s2" });
  });

  it("fall back to what the finding is about for codes stored before codes, or unknown here", () => {
    expect(remediationFor({ target: { type: "camera", id: "c1" } }, SITE).href).toBe("/cameras/c1");
    expect(remediationFor({ code: "CN-NEW-01.something", target: { type: "site", id: SITE } }, SITE).href).toBe(
      `/sites/${SITE}`,
    );
    expect(remediationFor({ code: "CN-FR-15.filingDue", target: { type: "organization", id: "o" } }, null).href).toBe(
      "/compliance#filing",
    );
  });
});

describe("fix order", () => {
  it("puts the assessment and the notice before the rules whose forms wait for them", () => {
    const rules = ["CN-FR-02", "CN-CAM-02", "CN-FR-03", "CN-FR-09", "CN-FR-08"].map((ruleId) => ({ ruleId }));
    expect(inFixOrder(rules).map((rule) => rule.ruleId)).toEqual([
      "CN-FR-08",
      "CN-FR-03",
      "CN-FR-02",
      "CN-CAM-02",
      "CN-FR-09",
    ]);
  });
});
