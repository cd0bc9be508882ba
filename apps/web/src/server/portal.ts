import "server-only";
import { type PortalServices, redisRateLimiter } from "@consentry/core/portal";
import { env } from "@consentry/env";
import { createMailer } from "@consentry/mail";
import { Redis } from "ioredis";
import { requestClientAddress } from "./client-address";

const cache = globalThis as unknown as { consentryPortal?: Omit<PortalServices, "clientIp"> };

function shared() {
  if (!cache.consentryPortal) {
    const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on("error", () => {}); // a failed limit check fails the request; /api/health reports Redis
    cache.consentryPortal = {
      mailer: createMailer(env.SMTP_URL, env.SMTP_FROM),
      limiter: redisRateLimiter(redis, env.QUEUE_PREFIX),
      secret: env.CONSENTRY_PORTAL_SECRET,
    };
  }
  return cache.consentryPortal;
}

/**
 * The portal's mail and rate limits, with the caller's address as the web server computed it
 * (./client-address). Read lazily: only the portal's limits need it, and a request without it
 * is refused there rather than counted under a shared key.
 */
export function portalServices(headers: Headers): PortalServices {
  return {
    ...shared(),
    get clientIp() {
      return requestClientAddress(headers);
    },
  };
}
