import { describe, expect, it } from "vitest";
import { MAX_PASSWORD_LENGTH, passwordProblem } from "./password-policy";

describe("password policy", () => {
  const email = "li.wei@huangpu.demo";

  it("accepts a long, unlisted password that does not name the account", () => {
    expect(passwordProblem("consentry-demo-2026", email)).toBeNull();
    expect(passwordProblem("e2e-password-long-enough", "owner-1@e2e.consentry.local")).toBeNull();
    expect(passwordProblem("correct horse battery", "user_1@test.consentry.local")).toBeNull();
    expect(passwordProblem(`${"x".repeat(MAX_PASSWORD_LENGTH - 4)}9a!b`, email)).toBeNull();
  });

  it("refuses too short and too long", () => {
    expect(passwordProblem("short-pw1", email)).toBe("tooShort");
    expect(passwordProblem("", email)).toBe("tooShort");
    expect(passwordProblem("y".repeat(MAX_PASSWORD_LENGTH + 1), email)).toBe("tooLong");
  });

  it.each(["password123", "PASSWORD123", "Qwertyuiop", "1234567890", "iloveyou12"])(
    "refuses the leaked password %j, whatever its case",
    (password) => {
      expect(passwordProblem(password, email)).toBe("breached");
    },
  );

  it("refuses the address or its name part, in any case", () => {
    expect(passwordProblem("li.wei@huangpu.demo", email)).toBe("containsEmail");
    expect(passwordProblem("my LI.WEI@HUANGPU.DEMO pw", email)).toBe("containsEmail");
    expect(passwordProblem("Li.Wei-2026-spring", email)).toBe("containsEmail");
    // A name part this short would refuse half of all passwords; it is not checked.
    expect(passwordProblem("a very long passphrase", "a@huangpu.demo")).toBeNull();
  });
});
