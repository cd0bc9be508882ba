import { FINDING_CODES, TARGET_LABEL_CODES } from "@consentry/compliance";
import { sampleFindings } from "@consentry/compliance/testing";
import { type AbstractIntlMessages, createFormatter, createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import findingsEn from "../../messages/findings.en.json";
import findingsZh from "../../messages/findings.zh-CN.json";
import {
  type FindingTextSource,
  type FindingTranslator,
  messagePlaceholders,
  shanghaiDay,
  translateFinding,
} from "../components/finding-text";
import { pickLocale } from "./locales";
import { loadMessages } from "./messages";

// The UI texts with every area file merged in, as the app serves them.
const { findings: _en, ...en } = loadMessages("en");
const { findings: _zh, ...zh } = loadMessages("zh-CN");

function entries(tree: object, prefix = ""): [string, unknown][] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "object" && value ? entries(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value]],
  );
}
const keys = (tree: object) => entries(tree).map(([key]) => key);

describe("messages", () => {
  it("Chinese and English have exactly the same keys", () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });
  it("no message is left empty", () => {
    for (const tree of [en, zh]) {
      const empty = entries(tree).filter(([, value]) => typeof value !== "string" || value.trim() === "");
      expect(empty).toEqual([]);
    }
  });
});

describe("finding messages", () => {
  const english = new Map(entries(findingsEn) as [string, string][]);

  it("Chinese and English have exactly the same keys", () => {
    expect(keys(findingsZh).sort()).toEqual(keys(findingsEn).sort());
  });

  it("no message is left empty", () => {
    for (const tree of [findingsEn, findingsZh]) {
      const empty = entries(tree).filter(([, value]) => typeof value !== "string" || value.trim() === "");
      expect(empty).toEqual([]);
    }
  });

  it("translate every code the rules engine can produce, and nothing else", () => {
    for (const tree of [findingsEn, findingsZh]) {
      const translated = new Map(entries(tree));
      const missing = FINDING_CODES.flatMap((code) =>
        ["message", "remediation"].map((part) => `${code}.${part}`).filter((key) => !translated.has(key)),
      );
      expect(missing).toEqual([]);
    }
    const codes = new Set<string>(FINDING_CODES);
    const unknown = keys(findingsEn)
      .filter((key) => !key.startsWith("enums."))
      .map((key) => key.replace(/\.(message|remediation)$/, ""))
      .filter((code) => !codes.has(code));
    expect(unknown).toEqual([]);
  });

  it("translate every label shape the rules engine composes for a finding's target", () => {
    const translated = new Set(keys(en).filter((key) => key.startsWith("findingTargets.")));
    expect(TARGET_LABEL_CODES.map((code) => `findingTargets.${code}`).filter((key) => !translated.has(key))).toEqual(
      [],
    );
  });

  it("use in Chinese only the {params} the English message uses", () => {
    for (const [key, value] of entries(findingsZh)) {
      const known = messagePlaceholders(english.get(key) ?? "");
      const extra = [...messagePlaceholders(String(value))].filter((name) => !known.has(name));
      expect({ key, extra }).toEqual({ key, extra: [] });
    }
  });
});

describe("findings in the user's language", () => {
  const findings = sampleFindings();
  // Days stay as the engine writes them (YYYY-MM-DD) unless a test asks for the reader's format.
  const render = (locale: "en" | "zh-CN", messages: object, day = (key: string) => key) => {
    const t = createTranslator({
      locale,
      messages: { findings: messages } as AbstractIntlMessages,
      namespace: "findings",
      onError: (error) => {
        throw error;
      },
    }) as unknown as FindingTranslator;
    const format = createFormatter({ locale });
    return (finding: FindingTextSource) =>
      translateFinding(finding, t, {
        list: (items) => format.list(items, { type: "conjunction", style: "narrow" }),
        day,
      });
  };

  it("writes a deadline in the reader's date format, the day it is in Shanghai", () => {
    const overdue = findings.find((finding) => finding.code === "CN-DSR-SLA.requestOverdue");
    if (!overdue) throw new Error("the sample has no overdue request");
    const dayKey = String(overdue.params?.dueDate);
    const format = createFormatter({ locale: "zh-CN", timeZone: "Asia/Shanghai" });
    const toChinese = render(
      "zh-CN",
      findingsZh,
      shanghaiDay((date) => format.dateTime(date, { dateStyle: "medium" })),
    );
    const [year, month, day] = dayKey.split("-").map(Number);
    expect(toChinese(overdue).message).toContain(`${year}年${month}月${day}日`);
    expect(toChinese(overdue).message).not.toContain(dayKey);
  });

  it("reads in English exactly as the engine words it", () => {
    const toEnglish = render("en", findingsEn);
    // Enum values are shown as words ("changing_room" -> "changing room").
    const words = (text: string) => text.replaceAll("_", " ");
    for (const finding of findings) {
      const { message, remediation } = toEnglish(finding);
      expect({ code: finding.code, message, remediation }).toEqual({
        code: finding.code,
        message: words(finding.message),
        remediation: words(finding.remediation),
      });
    }
  });

  it("reads in Chinese, with every param and enum value filled in", () => {
    const toChinese = render("zh-CN", findingsZh);
    for (const finding of findings) {
      const { message, remediation } = toChinese(finding);
      expect(message).not.toBe(finding.message);
      expect(remediation).not.toBe(finding.remediation);
      for (const text of [message, remediation]) {
        expect(text).toMatch(/[\u4e00-\u9fff]/);
        expect(text).not.toMatch(/[{}]|[a-z]+_[a-z]+/);
      }
    }
  });

  it("falls back to English for findings stored without a code, or with a code or params it does not know", () => {
    const toChinese = render("zh-CN", findingsZh);
    const [finding] = findings.filter((f) => f.code === "CN-CAM-02.signMissing");
    if (!finding) throw new Error("no sample for CN-CAM-02.signMissing");
    const english = { message: finding.message, remediation: finding.remediation };
    const { code: _code, params: _params, ...stored } = finding;
    expect(toChinese(stored)).toEqual(english);
    expect(toChinese({ ...finding, code: "CN-CAM-02.somethingNew" })).toEqual(english);
    expect(toChinese({ ...finding, params: {} })).toEqual(english);
    expect(toChinese(finding).message).toContain("人脸识别摄像头");
  });
});

describe("pickLocale", () => {
  it("prefers the saved choice, then the browser, then Chinese", () => {
    expect(pickLocale("en", "zh-CN,zh")).toBe("en");
    expect(pickLocale(undefined, "en-US,en;q=0.9")).toBe("en");
    expect(pickLocale(undefined, "zh-TW,zh;q=0.9")).toBe("zh-CN");
    expect(pickLocale("fr", "fr-FR")).toBe("zh-CN");
    expect(pickLocale(undefined, null)).toBe("zh-CN");
  });
});
