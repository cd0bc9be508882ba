import { describe, expect, it } from "vitest";
import { InvalidTokenError, signToken, verifyToken } from "./signed-token";

const secret = "s".repeat(32);

describe("signed tokens", () => {
  it("round-trips the payload until it expires", () => {
    const now = Date.now();
    const token = signToken({ cameraId: "c1", orgId: "o1" }, secret, 60, now);
    expect(verifyToken(token, secret, now + 59_000)).toMatchObject({ cameraId: "c1", orgId: "o1" });
    expect(() => verifyToken(token, secret, now + 61_000)).toThrow(/expired/);
  });

  it("refuses another secret, an edited payload and garbage", () => {
    const token = signToken({ cameraId: "c1" }, secret, 60);
    expect(() => verifyToken(token, "t".repeat(32))).toThrow(InvalidTokenError);
    const [, signature] = token.split(".");
    const forged = `${Buffer.from(JSON.stringify({ cameraId: "c2", exp: 9e9 })).toString("base64url")}.${signature}`;
    expect(() => verifyToken(forged, secret)).toThrow(/signature/);
    expect(() => verifyToken("nonsense", secret)).toThrow(/malformed/);
  });
});
