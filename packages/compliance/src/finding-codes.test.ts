import { describe, expect, it } from "vitest";
import { FINDING_CODES, FINDING_ENUM_PARAMS, type Finding, type FindingParams } from "./findings";
import { purposeText } from "./rules/targets";
import { sampleFindings } from "./testing";

const findings = sampleFindings();

/** Codes whose remediation names something (an entry point), so its text varies with the params. */
const PARAMETERISED_REMEDIATIONS = new Set<string>([
  "CN-FR-02.noPurpose",
  "CN-FR-02.noNecessityNote",
  "CN-FR-02.noPurposeOrNecessity",
]);

/** How the engine writes a param's value in English: purposes with spaces, counts grouped ("100,000"). */
function rendering(name: string, value: string | number): string {
  if (typeof value === "number") return value.toLocaleString("en-US");
  return name === "purpose" || name === "consentPurpose" ? purposeText(value) : value;
}

/** The text with every param's value replaced by `{name}`: a candidate for the code's sentence. */
function shape(text: string, params: FindingParams): string {
  const names = new Map<string, string>();
  for (const [name, value] of Object.entries(params))
    if (!names.has(rendering(name, value))) names.set(rendering(name, value), name);
  if (names.size === 0) return text;
  const values = [...names.keys()]
    .sort((a, b) => b.length - a.length)
    .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return text.replace(new RegExp(values.join("|"), "g"), (value) => `{${names.get(value)}}`);
}

/** A sentence with its `{name}` placeholders filled in from the params, as the engine would write it. */
const fill = (sentence: string, params: FindingParams) =>
  sentence.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    return value === undefined ? placeholder : rendering(name, value);
  });

function findingsByCode(): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) groups.set(finding.code, [...(groups.get(finding.code) ?? []), finding]);
  return groups;
}

describe("finding codes", () => {
  it("lists each code once, each named <ruleId>.<name>", () => {
    expect(new Set(FINDING_CODES).size).toBe(FINDING_CODES.length);
    for (const code of FINDING_CODES) expect(code).toMatch(/^[A-Z]+(-[A-Za-z0-9]+)+\.[a-z][A-Za-z]*$/);
  });

  it("gives every finding a listed code of its own rule", () => {
    expect(findings.length).toBeGreaterThan(FINDING_CODES.length);
    for (const finding of findings) {
      expect(FINDING_CODES).toContain(finding.code);
      expect(finding.code.startsWith(`${finding.ruleId}.`)).toBe(true);
    }
  });

  it("produces every listed code from the samples", () => {
    const produced = new Set(findings.map((finding) => finding.code));
    expect(FINDING_CODES.filter((code) => !produced.has(code))).toEqual([]);
  });

  it("passes only plain, non-empty values as params", () => {
    for (const finding of findings) {
      for (const [name, value] of Object.entries(finding.params)) {
        expect(name).toMatch(/^[a-z][A-Za-z]*$/);
        expect(typeof value === "number" ? Number.isFinite(value) : typeof value === "string" && value !== "").toBe(
          true,
        );
      }
      expect(JSON.parse(JSON.stringify(finding.params))).toEqual(finding.params);
    }
  });

  it("passes enum params as raw enum values", () => {
    for (const finding of findings) {
      for (const name of Object.keys(FINDING_ENUM_PARAMS)) {
        const value = finding.params[name];
        if (value !== undefined) expect(String(value)).toMatch(/^[a-z_]+(, [a-z_]+)*$/);
      }
    }
  });

  it("keeps one remediation text per code, except where documented as parameterised", () => {
    for (const [code, group] of findingsByCode()) {
      const texts = [...new Set(group.map((finding) => finding.remediation))];
      if (PARAMETERISED_REMEDIATIONS.has(code)) {
        for (const finding of group) expect(finding.remediation).toContain(`"${finding.params.entryPoint}"`);
      } else {
        expect({ code, texts }).toEqual({ code, texts: texts.slice(0, 1) });
      }
    }
  });

  it("words each code one way: one sentence with placeholders yields every message and remediation", () => {
    // A value can also occur as a plain word ("deletion" request vs "deletion certificate"), so the
    // sentence is any candidate that reproduces every finding of the code.
    for (const pick of [(finding: Finding) => finding.message, (finding: Finding) => finding.remediation]) {
      for (const [code, group] of findingsByCode()) {
        const candidates = new Set(group.map((finding) => shape(pick(finding), finding.params)));
        const sentence = [...candidates].find((candidate) =>
          group.every((finding) => fill(candidate, finding.params) === pick(finding)),
        );
        expect({ code, sentence: sentence ?? [...candidates] }).toEqual({ code, sentence: expect.any(String) });
      }
    }
  });

  it("uses every param in the English text", () => {
    for (const finding of findings) {
      const text = `${finding.message} ${finding.remediation}`;
      for (const [name, value] of Object.entries(finding.params)) expect(text).toContain(rendering(name, value));
    }
  });
});
