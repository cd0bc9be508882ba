import type { Redis } from "ioredis";

export const ticketKey = (prefix: string, jti: string) => `${prefix}:live-view-ticket:${jti}`;

/**
 * Spends a ticket: true the first time, false for any later use. The id stays in Redis until
 * the ticket expires (after that the signature check refuses it anyway). Redis errors propagate,
 * and the caller refuses: a gateway that cannot spend tickets must not stream.
 */
export async function spendTicket(
  redis: Redis,
  prefix: string,
  ticket: { jti: string; exp: number },
): Promise<boolean> {
  const reply = await redis.set(ticketKey(prefix, ticket.jti), "1", "PXAT", ticket.exp * 1000, "NX");
  return reply === "OK";
}
