import { describe, expect, it } from "vitest";
import { portalErrorKey } from "./portal-error";

describe("portalErrorKey", () => {
  it("blames what the person typed only when the server says so", () => {
    expect(portalErrorKey({ data: { code: "BAD_REQUEST" } }, "codeWrong")).toBe("codeWrong");
    expect(portalErrorKey({ data: { code: "NOT_FOUND" } }, "checkFields")).toBe("checkFields");
  });

  it("names the limits: too many requests, and a request locked by wrong codes", () => {
    expect(portalErrorKey({ data: { code: "TOO_MANY_REQUESTS" } }, "codeWrong")).toBe("tooMany");
    expect(portalErrorKey({ data: { code: "FORBIDDEN" } }, "codeWrong")).toBe("codeLocked");
  });

  it("says a server error or a lost connection is ours, not a wrong code", () => {
    expect(portalErrorKey({ data: { code: "INTERNAL_SERVER_ERROR" } }, "codeWrong")).toBe("serverFailed");
    expect(portalErrorKey({ data: null }, "codeWrong")).toBe("serverFailed");
    expect(portalErrorKey({}, "codeWrong")).toBe("serverFailed");
  });
});
