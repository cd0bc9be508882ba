import "server-only";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { env } from "@consentry/env";
import { producerOptions, QUEUE_NAMES } from "@consentry/queue";
import { serveStatic } from "@hono/node-server/serve-static";
import { Queue } from "bullmq";
import { Hono } from "hono";

export const QUEUE_BOARD_PATH = "/admin/queues";

// One board per server process (bull-board keeps its queue connections open).
const cache = globalThis as unknown as { consentryQueueBoard?: Hono };

/** bull-board over every BullMQ queue, mounted at /admin/queues; the route checks who may see it. */
export function queueBoard(): Hono {
  if (!cache.consentryQueueBoard) {
    const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      queues: Object.values(QUEUE_NAMES).map(
        (name) => new BullMQAdapter(new Queue(name, producerOptions(env.REDIS_URL, env.QUEUE_PREFIX))),
      ),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: "Consentry queues" } },
    });
    cache.consentryQueueBoard = new Hono().route(QUEUE_BOARD_PATH, adapter.registerPlugin());
  }
  return cache.consentryQueueBoard;
}
