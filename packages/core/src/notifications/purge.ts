import { type Executor, sql } from "@consentry/db";

/** Read notifications are kept this long after they were read (the retention coverage promises it). */
export const READ_NOTIFICATION_RETENTION_DAYS = 90;
const BATCH = 5_000;

/**
 * Deletes notifications read more than 90 days ago, in batches so no statement holds many rows
 * at once. Unread ones stay: nobody has seen them yet. Returns how many went.
 */
export async function purgeReadNotifications(db: Executor, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - READ_NOTIFICATION_RETENTION_DAYS * 86_400_000).toISOString();
  let deleted = 0;
  for (;;) {
    const rows = await db.execute(sql`
      delete from notifications where id in (
        select id from notifications where read_at < ${before}::timestamptz limit ${BATCH})
      returning 1`);
    deleted += rows.length;
    if (rows.length < BATCH) return deleted;
  }
}
