import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import type { Mail } from "@consentry/mail";
import type { Redis } from "ioredis";

/** What the public portal needs besides the database: mail, rate limits, and who is asking. */
export type PortalServices = {
  mailer: { send(mail: Mail): Promise<void> };
  limiter: RateLimiter;
  /** The requester's address as the web server computed it (socket, or trusted proxies); limits key on it. */
  clientIp: string;
  /** Keys code and contact hashes and signs status links. */
  secret: string;
};

export type RateLimiter = {
  /** Counts one attempt under `key`; false once more than `limit` happened within the window. */
  hit(key: string, limit: number, windowSeconds: number): Promise<boolean>;
};

/** Fixed-window counters in Redis, shared by every web server. */
export function redisRateLimiter(redis: Redis, prefix = "consentry"): RateLimiter {
  return {
    async hit(key, limit, windowSeconds) {
      const name = `${prefix}:ratelimit:${key}`;
      const [[, count]] = (await redis.multi().incr(name).expire(name, windowSeconds, "NX").exec()) as [
        [Error | null, number],
      ];
      return count <= limit;
    },
  };
}

export const keyedHash = (secret: string, purpose: string, value: string) =>
  createHmac("sha256", secret).update(`${purpose}\u0000${value}`).digest("hex");

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();
export const newVerificationCode = () => String(randomInt(0, 1_000_000)).padStart(6, "0");

/** A reference like R-7KQ2-M9XD: no 0/O or 1/I, so it survives being read aloud. */
export function newReferenceCode(): string {
  const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  const pick = () => Array.from({ length: 4 }, () => alphabet[randomInt(0, alphabet.length)]).join("");
  return `R-${pick()}-${pick()}`;
}

/** The secret part of a requester's status link; only someone who verified the request has it. */
export const statusToken = (secret: string, referenceCode: string) =>
  keyedHash(secret, "status", referenceCode).slice(0, 32);
