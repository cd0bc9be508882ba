import { randomBytes, randomUUID } from "node:crypto";
import { env } from "@consentry/env";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import {
  createJobProducer,
  JobPayloadError,
  NOTIFICATION_JOBS,
  producerOptions,
  QUEUE_NAMES,
  redisConnection,
} from "./index";

// The notifications queue's contracts (issue #17.2), against real Redis under a private prefix.

const prefix = `test-notify-queue-${randomBytes(6).toString("hex")}`;
const queue = new Queue(QUEUE_NAMES.notifications, producerOptions(env.REDIS_URL, prefix));
const jobs = createJobProducer(env.REDIS_URL, prefix);

afterAll(async () => {
  await jobs.close();
  await queue.close();
  const redis = new Redis(redisConnection(env.REDIS_URL));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe("notification jobs", () => {
  it("keep the names and options running installations use", () => {
    expect(
      Object.fromEntries(Object.entries(NOTIFICATION_JOBS).map(([key, job]) => [key, [job.queue, job.name]])),
    ).toEqual({
      staffMail: ["notifications", "staff-mail"],
      subjectMail: ["notifications", "subject-mail"],
      relay: ["notifications", "notification-relay"],
      sweep: ["notifications", "notification-sweep"],
      digest: ["notifications", "notification-digest"],
      purge: ["notifications", "notification-purge"],
    });
    const orgId = randomUUID();
    expect(NOTIFICATION_JOBS.staffMail.optionsFor({ orgId, userId: "u1" })).toMatchObject({
      attempts: 6,
      backoff: { type: "exponential", delay: 30_000 },
      deduplication: { id: `staff-mail:${orgId}:u1`, keepLastIfActive: true },
    });
    const requestId = randomUUID();
    expect(NOTIFICATION_JOBS.subjectMail.optionsFor({ requestId, mail: "refused" })).toMatchObject({
      jobId: `subject-mail-refused-${requestId}`,
      removeOnComplete: { age: 6 * 3600 },
    });
  });

  it("carry ids only: an address in a payload is refused before it reaches Redis", () => {
    expect(() =>
      NOTIFICATION_JOBS.subjectMail.parse({ requestId: randomUUID(), mail: "refused", email: "a@example.cn" }),
    ).toThrow(JobPayloadError);
    expect(() => NOTIFICATION_JOBS.staffMail.parse({ orgId: randomUUID(), userId: "u1", to: "a@example.cn" })).toThrow(
      JobPayloadError,
    );
  });

  it("batch a member's mail: adds while one waits are absorbed; a requester's mail is queued once", async () => {
    const orgId = randomUUID();
    for (let i = 0; i < 3; i++) await jobs.notify?.({ type: "staffMail", orgId, userId: "member-1" });
    await NOTIFICATION_JOBS.staffMail.add(queue, { orgId, userId: "member-1" }, { delay: 10_000 });
    const requestId = randomUUID();
    await jobs.notify?.({ type: "subjectMail", requestId, mail: "approved" });
    await jobs.notify?.({ type: "subjectMail", requestId, mail: "approved" });
    const waiting = [...(await queue.getWaiting()), ...(await queue.getDelayed())];
    expect(waiting.map((job) => job.name).sort()).toEqual(["staff-mail", "subject-mail"]);
    expect(waiting.find((job) => job.name === "subject-mail")?.data).toEqual({ requestId, mail: "approved" });
  });
});
