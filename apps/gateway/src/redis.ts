import {
  invalidationChannel,
  type LiveViewInvalidation,
  liveViewInvalidationSchema,
  redisConnection,
} from "@consentry/queue";
import { Redis } from "ioredis";
import type { Logger } from "pino";

/** How long start waits for Redis before listening anyway (tickets are refused until it answers). */
const START_WAIT_MS = 2_000;

export type GatewayRedis = {
  /** Spends tickets. Fails fast instead of queueing while Redis is away: no stream without a spent ticket. */
  tickets: Redis;
  close(): void;
};

/**
 * The gateway's two Redis connections: one for tickets, one subscribed to the installation's
 * invalidation channel. Resolves once both answer, or after START_WAIT_MS with a warning;
 * `resubscribed` runs when the subscriber is back after a disconnect (messages sent meanwhile are lost).
 */
export async function connectGatewayRedis(options: {
  url: string;
  prefix: string;
  log: Logger;
  invalidated: (change: LiveViewInvalidation) => void;
  resubscribed: () => void;
}): Promise<GatewayRedis> {
  const { log } = options;
  const connection = redisConnection(options.url);
  const tickets = new Redis({
    ...connection,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
  });
  const subscriber = new Redis({ ...connection, maxRetriesPerRequest: null });
  for (const client of [tickets, subscriber]) {
    client.on("error", (err) => log.warn({ err: err.message }, "redis error"));
  }

  const channel = invalidationChannel(options.prefix);
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    let parsed: ReturnType<typeof liveViewInvalidationSchema.safeParse>;
    try {
      parsed = liveViewInvalidationSchema.safeParse(JSON.parse(message));
    } catch {
      return;
    }
    if (parsed.success) options.invalidated(parsed.data);
  });
  let subscribedOnce = false;
  // ioredis subscribes again by itself on every reconnect.
  subscriber.on("ready", () => {
    if (subscribedOnce) options.resubscribed();
  });
  const subscribed = subscriber.subscribe(channel).then(
    () => {
      subscribedOnce = true;
      return true;
    },
    () => false,
  );
  const ticketsReady = new Promise<boolean>((resolve) => {
    if (tickets.status === "ready") resolve(true);
    else tickets.once("ready", () => resolve(true));
  });
  const ready = await Promise.race([
    Promise.all([subscribed, ticketsReady]).then((answers) => answers.every(Boolean)),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), START_WAIT_MS).unref()),
  ]);
  if (!ready) log.warn("redis is not answering; live views are refused until it does");

  return {
    tickets,
    close: () => {
      subscriber.disconnect();
      tickets.disconnect();
    },
  };
}
