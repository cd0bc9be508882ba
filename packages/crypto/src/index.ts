import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@consentry/env";

/**
 * Envelope encryption (AES-256-GCM) for secrets and face templates.
 *
 * Every value gets its own random data key; the data key is wrapped with a master key from
 * the environment. The ciphertext names the master key id, so keys can rotate: old ids stay
 * in the keyring for decryption, new values use the active id. A `context` string (e.g.
 * "cameras.rtsp_url") is bound as additional authenticated data, so a ciphertext copied into
 * another column fails to decrypt instead of leaking.
 *
 * Format: `v1.<keyId>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>` (base64url parts).
 */

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type Keyring = { activeKeyId: string; keys: ReadonlyMap<string, Buffer> };

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

/**
 * Keys from a `keyId:base64key,…` list (a keyring, so keys rotate: old ids stay listed), in the
 * order listed. `what` names the keys in errors; `minBytes`/`maxBytes` bound each key's length.
 */
export function parseKeyList(spec: string, what: string, minBytes: number, maxBytes = Infinity) {
  const keys = new Map<string, Buffer>();
  for (const pair of spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = pair.indexOf(":");
    const id = pair.slice(0, separator);
    if (separator < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new Error(`${what} key "${pair.slice(0, 8)}…" must look like keyId:base64key`);
    }
    const key = Buffer.from(pair.slice(separator + 1), "base64");
    if (key.length < minBytes || key.length > maxBytes) {
      const size = minBytes === maxBytes ? `${minBytes} bytes` : `at least ${minBytes} bytes`;
      throw new Error(`${what} key "${id}" must be ${size}, got ${key.length}`);
    }
    keys.set(id, key);
  }
  return keys;
}

export function parseKeyring(spec: string, activeKeyId?: string): Keyring {
  const keys = parseKeyList(spec, "encryption", 32, 32);
  const active = activeKeyId ?? [...keys.keys()].at(-1);
  if (!active || !keys.has(active)) throw new Error(`active encryption key "${active}" is not in the keyring`);
  return { activeKeyId: active, keys };
}

let defaultKeyring: Keyring | undefined;
function keyringFromEnv(): Keyring {
  defaultKeyring ??= parseKeyring(env.CONSENTRY_ENCRYPTION_KEYS, env.CONSENTRY_ACTIVE_KEY_ID);
  return defaultKeyring;
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
}

function open(key: Buffer, iv: Buffer, body: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new DecryptionError("ciphertext is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    const opened = decipher.update(body.subarray(0, body.length - TAG_BYTES));
    // GCM has no padding: final() only checks the tag, and its (empty) output needs no copy.
    const rest = decipher.final();
    return rest.length === 0 ? opened : Buffer.concat([opened, rest]);
  } catch {
    throw new DecryptionError("ciphertext failed authentication (wrong key, context or tampered data)");
  }
}

export function encryptBytes(plaintext: Uint8Array, context: string, keyring = keyringFromEnv()): string {
  const masterKey = keyring.keys.get(keyring.activeKeyId) as Buffer;
  const dataKey = randomBytes(32);
  const aad = Buffer.from(`${VERSION}|${keyring.activeKeyId}|${context}`);
  const wrapped = seal(masterKey, dataKey, aad);
  const sealed = seal(dataKey, Buffer.from(plaintext), aad);
  dataKey.fill(0);
  return [VERSION, keyring.activeKeyId, wrapped.iv, wrapped.body, sealed.iv, sealed.body]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

export function decryptBytes(ciphertext: string, context: string, keyring = keyringFromEnv()): Buffer {
  const parts = ciphertext.split(".");
  const [version, keyId, wrapIv, wrappedKey, iv, body] = parts;
  if (parts.length !== 6 || version !== VERSION || !keyId || !wrapIv || !wrappedKey || !iv || !body) {
    throw new DecryptionError("not a Consentry ciphertext");
  }
  const masterKey = keyring.keys.get(keyId);
  if (!masterKey) throw new DecryptionError(`encryption key "${keyId}" is not in the keyring`);
  const aad = Buffer.from(`${VERSION}|${keyId}|${context}`);
  const dataKey = open(masterKey, Buffer.from(wrapIv, "base64url"), Buffer.from(wrappedKey, "base64url"), aad);
  try {
    return open(dataKey, Buffer.from(iv, "base64url"), Buffer.from(body, "base64url"), aad);
  } finally {
    dataKey.fill(0);
  }
}

export function encryptString(plaintext: string, context: string, keyring?: Keyring): string {
  return encryptBytes(Buffer.from(plaintext, "utf8"), context, keyring);
}

export function decryptString(ciphertext: string, context: string, keyring?: Keyring): string {
  return decryptBytes(ciphertext, context, keyring).toString("utf8");
}

/** The master key id a ciphertext was written with (for rotation reports). */
export function keyIdOf(ciphertext: string): string | undefined {
  return ciphertext.startsWith(`${VERSION}.`) ? ciphertext.split(".")[1] : undefined;
}

/** Re-encrypts under the active key; a no-op for values already on it. */
export function rotate(ciphertext: string, context: string, keyring = keyringFromEnv()): string {
  if (keyIdOf(ciphertext) === keyring.activeKeyId) return ciphertext;
  return encryptBytes(decryptBytes(ciphertext, context, keyring), context, keyring);
}
export * from "./embedding";
export * from "./signed-token";

/** The additional data bound to an organisation's OIDC client secret (sso_connections). */
export const SSO_CLIENT_SECRET_CONTEXT = "sso_connections.client_secret";
