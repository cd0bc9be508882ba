export { type PortalServices, type RateLimiter, redisRateLimiter } from "./services";
