import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** How hard sign-in pushes back. Tests shorten the lock; the defaults are the product's. */
export type SignInLimits = {
  /** Sign-in attempts per client address per minute (Better Auth's limiter). */
  perAddressPerMinute: number;
  /** Wrong passwords for one account, within `failureWindowSeconds`, that lock it. */
  maxFailures: number;
  failureWindowSeconds: number;
  /** The first lock; each further lock within a day lasts twice as long, up to a day. */
  lockSeconds: number;
  /** Password-reset mails one account gets per hour; further requests get the same answer and no mail. */
  maxResetMailsPerHour: number;
};

export const SIGN_IN_LIMITS: SignInLimits = {
  perAddressPerMinute: 10,
  maxFailures: 5,
  failureWindowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
  maxResetMailsPerHour: 5,
};

const DAY_SECONDS = 24 * 60 * 60;

/** Better Auth's rate-limit storage in Redis: a fixed window per key, shared by every web process. */
export function redisRateLimitStorage(redis: Redis, prefix: string) {
  return {
    async consume(key: string, rule: { window: number; max: number }) {
      const name = `${prefix}:auth-ratelimit:${key}`;
      const [[, count], [, ttl]] = (await redis
        .multi()
        .incr(name)
        .expire(name, rule.window, "NX")
        .ttl(name)
        .exec()) as [[Error | null, number], [Error | null, number], [Error | null, number]];
      return count <= rule.max
        ? { allowed: true, retryAfter: null }
        : { allowed: false, retryAfter: ttl > 0 ? ttl : rule.window };
    },
  };
}

export type FailureOutcome = { locked: false } | { locked: true; seconds: number; newLock: boolean };

/**
 * Wrong-password counting per account (by normalised email, hashed so Redis holds no addresses).
 * It counts failures from every client address together: spreading guesses over many addresses
 * does not help, and the lock only ever covers that one account, for a limited time.
 */
export function accountLockout(redis: Redis, prefix: string, limits: SignInLimits) {
  const keys = (email: string) => {
    const id = createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
    return {
      failures: `${prefix}:signin:failures:${id}`,
      lock: `${prefix}:signin:lock:${id}`,
      level: `${prefix}:signin:lock-level:${id}`,
      resetMails: `${prefix}:signin:reset-mails:${id}`,
    };
  };
  return {
    /** Seconds the account stays locked, or 0. */
    async lockedFor(email: string): Promise<number> {
      const ttl = await redis.ttl(keys(email).lock);
      return Math.max(ttl, 0); // -2: no lock, -1 cannot happen (always set with EX)
    },

    async recordFailure(email: string): Promise<FailureOutcome> {
      const key = keys(email);
      const [[, failures]] = (await redis
        .multi()
        .incr(key.failures)
        .expire(key.failures, limits.failureWindowSeconds, "NX")
        .exec()) as [[Error | null, number]];
      if (failures < limits.maxFailures) return { locked: false };
      const level = Number((await redis.get(key.level)) ?? 0);
      const seconds = Math.min(limits.lockSeconds * 2 ** level, DAY_SECONDS);
      // NX: of concurrent failures only one sets the lock, so the holder is told once per lock.
      const newLock = (await redis.set(key.lock, String(Date.now()), "EX", seconds, "NX")) === "OK";
      if (newLock) await redis.multi().del(key.failures).incr(key.level).expire(key.level, DAY_SECONDS).exec();
      return { locked: true, seconds, newLock };
    },

    /** A completed password reset: no lock, no count. */
    async clear(email: string) {
      const key = keys(email);
      await redis.del(key.failures, key.level, key.lock);
    },

    /** Reset mails to one account: a few an hour, so nobody can flood a mailbox from many addresses. */
    async allowResetMail(email: string): Promise<boolean> {
      const key = keys(email).resetMails;
      const [[, count]] = (await redis
        .multi()
        .incr(key)
        .expire(key, 60 * 60, "NX")
        .exec()) as [[Error | null, number]];
      return count <= limits.maxResetMailsPerHour;
    },

    /** A right password: the account starts afresh. */
    async reset(email: string) {
      const key = keys(email);
      await redis.del(key.failures, key.level);
    },
  };
}
