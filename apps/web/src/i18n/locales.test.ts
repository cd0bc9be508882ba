import { describe, expect, it } from "vitest";
import en from "../../messages/en.json";
import zh from "../../messages/zh-CN.json";
import { pickLocale } from "./locales";

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

describe("pickLocale", () => {
  it("prefers the saved choice, then the browser, then Chinese", () => {
    expect(pickLocale("en", "zh-CN,zh")).toBe("en");
    expect(pickLocale(undefined, "en-US,en;q=0.9")).toBe("en");
    expect(pickLocale(undefined, "zh-TW,zh;q=0.9")).toBe("zh-CN");
    expect(pickLocale("fr", "fr-FR")).toBe("zh-CN");
    expect(pickLocale(undefined, null)).toBe("zh-CN");
  });
});
