import {
  type CreatedNotification,
  instantRecipients,
  mailRequester,
  mailWaitingNotifications,
  membersWithWaitingMail,
  type NotificationMailServices,
  purgeReadNotifications,
  requesterMailsToQueue,
  sendDigests,
  sweepNotifications,
} from "@consentry/core/notifications";
import type { Database } from "@consentry/db";
import { dispatchByName, NOTIFICATION_JOBS, processorFor, QUEUE_NAMES } from "@consentry/queue";
import type { Queue } from "bullmq";
import type { Logger } from "pino";

/** Instant mail waits this long after the first notification, so what comes together goes in one mail. */
export const NOTIFICATION_MAIL_DELAY_MS = 15_000;

/**
 * Queues one mail job per member whose new notifications want mail at once. The job's
 * deduplication makes a member's pending job absorb the rest, so one mail carries them all.
 */
export async function queueInstantMail(
  queue: Queue,
  created: readonly CreatedNotification[],
  delayMs = NOTIFICATION_MAIL_DELAY_MS,
): Promise<number> {
  const recipients = instantRecipients(created);
  await NOTIFICATION_JOBS.staffMail.addBulk(
    queue,
    recipients.map((data) => ({ data, opts: { delay: delayMs } })),
  );
  return recipients.length;
}

export type NotificationsDeps = {
  db: Database;
  logger: Logger;
  mail: NotificationMailServices;
  /** The notifications queue (the relay and the sweep add mail jobs to it). */
  queue: Queue;
  mailDelayMs?: number;
};

/**
 * The `notifications` queue: members' mail (at once, and the daily digest), requesters' mail,
 * the relay that queues instant mail still waiting (created by the web app, or whose job failed
 * for good), the hourly sweep and the purge of read notifications. Logs counts and ids only,
 * never an address.
 */
export function notificationsProcessor({ db, logger, mail, queue, mailDelayMs }: NotificationsDeps) {
  return dispatchByName(QUEUE_NAMES.notifications, [
    processorFor(NOTIFICATION_JOBS.staffMail, async (who) => {
      const { sent } = await mailWaitingNotifications(db, mail, who, { mode: "instant" });
      if (sent > 0) logger.debug({ orgId: who.orgId, userId: who.userId, sent }, "notifications mailed");
      return { sent };
    }),
    processorFor(NOTIFICATION_JOBS.subjectMail, async (job) => {
      const { sent } = await mailRequester(db, mail, job);
      logger.debug({ requestId: job.requestId, mail: job.mail, sent }, "requester mail");
      return { sent };
    }),
    processorFor(NOTIFICATION_JOBS.relay, async () => {
      const members = await membersWithWaitingMail(db, "instant");
      await NOTIFICATION_JOBS.staffMail.addBulk(
        queue,
        members.map((data) => ({ data, opts: { delay: mailDelayMs ?? NOTIFICATION_MAIL_DELAY_MS } })),
      );
      const requesters = await requesterMailsToQueue(db);
      await NOTIFICATION_JOBS.subjectMail.addBulk(
        queue,
        requesters.map((data) => ({ data })),
      );
      return { queued: members.length, requesters: requesters.length };
    }),
    processorFor(NOTIFICATION_JOBS.sweep, async () => {
      const { created, failedOrganizations } = await sweepNotifications(db);
      const mailed = await queueInstantMail(queue, created, mailDelayMs);
      if (failedOrganizations > 0) logger.warn({ failedOrganizations }, "notification sweep skipped organisations");
      return { created: created.length, mailed, failedOrganizations };
    }),
    processorFor(NOTIFICATION_JOBS.digest, async () => {
      const { mails } = await sendDigests(db, mail);
      logger.info({ mails }, "daily digests sent");
      return { mails };
    }),
    processorFor(NOTIFICATION_JOBS.purge, async () => {
      const deleted = await purgeReadNotifications(db);
      logger.info({ deleted }, "read notifications purged");
      return { deleted };
    }),
  ]);
}
