import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DecryptionError, decryptString, encryptString, keyIdOf, parseKeyring, rotate } from "./index";

const key = () => randomBytes(32).toString("base64");
const keyringA = parseKeyring(`a:${key()}`);

describe("envelope encryption", () => {
  it("round-trips text and never contains the plaintext", () => {
    const secret = "rtsp://admin:hunter2@10.0.0.5/stream";
    const sealed = encryptString(secret, "cameras.rtsp_url", keyringA);
    expect(sealed).not.toContain("hunter2");
    expect(decryptString(sealed, "cameras.rtsp_url", keyringA)).toBe(secret);
  });

  it("gives a different ciphertext each time for the same value", () => {
    expect(encryptString("x", "c", keyringA)).not.toBe(encryptString("x", "c", keyringA));
  });

  it("refuses a ciphertext moved to another context", () => {
    const sealed = encryptString("张三", "subjects.display_name", keyringA);
    expect(() => decryptString(sealed, "subjects.contact", keyringA)).toThrow(DecryptionError);
  });

  it("refuses a tampered ciphertext", () => {
    const sealed = encryptString("secret", "c", keyringA);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[5] as string, "base64url");
    body[0] = (body[0] as number) ^ 1;
    parts[5] = body.toString("base64url");
    expect(() => decryptString(parts.join("."), "c", keyringA)).toThrow(/authentication/);
  });

  it("rotates to a new active key and still reads old values", () => {
    const oldRing = parseKeyring(`old:${key()}`);
    const sealed = encryptString("template", "face_templates.embedding", oldRing);
    const spec = `old:${Buffer.from(oldRing.keys.get("old") as Buffer).toString("base64")},new:${key()}`;
    const newRing = parseKeyring(spec);
    expect(newRing.activeKeyId).toBe("new");
    expect(decryptString(sealed, "face_templates.embedding", newRing)).toBe("template");
    const rotated = rotate(sealed, "face_templates.embedding", newRing);
    expect(keyIdOf(rotated)).toBe("new");
    expect(decryptString(rotated, "face_templates.embedding", newRing)).toBe("template");
  });

  it("rejects malformed keyrings clearly", () => {
    expect(() => parseKeyring("nokey")).toThrow(/keyId:base64key/);
    expect(() => parseKeyring(`k:${Buffer.alloc(16).toString("base64")}`)).toThrow(/32 bytes/);
    expect(() => parseKeyring(`k:${key()}`, "missing")).toThrow(/not in the keyring/);
  });

  it("names an unknown key id", () => {
    const sealed = encryptString("x", "c", parseKeyring(`gone:${key()}`));
    expect(() => decryptString(sealed, "c", keyringA)).toThrow(/"gone"/);
  });
});
