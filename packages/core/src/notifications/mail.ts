import { decryptString } from "@consentry/crypto";
import {
  and,
  type Database,
  type Executor,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  ne,
  or,
  type SQL,
  schema,
  sql,
  writeAudit,
} from "@consentry/db";
import { type Mail, notificationMail, type SubjectMailKind, subjectRequestMail } from "@consentry/mail";
import { statusToken } from "../portal/services";
import { INSTANT_BY_DEFAULT, type NotificationEmailMode, notificationHref } from "./kinds";

const { dsrRequests, notifications, organizations, sites, users } = schema;

/** How notification mail goes out and where its links point. */
export type NotificationMailServices = {
  mailer: { send(mail: Mail): Promise<void> };
  /** The web app's public address (BETTER_AUTH_URL). */
  baseUrl: string;
  /** Signs requesters' status links (CONSENTRY_PORTAL_SECRET), as the portal does. */
  portalSecret: string;
};

/** Instant mail waits at most this long in the relay's eyes: older unmailed ones are left to the bell. */
export const INSTANT_MAIL_WINDOW_MS = 24 * 3_600_000;
/** A digest gathers what is unmailed from this far back (a day, and a missed run's day). */
export const DIGEST_WINDOW_MS = 48 * 3_600_000;
/** At most this many notifications in one mail; the rest follow in the next. */
export const MAIL_BATCH_LIMIT = 50;

const defaultEmailMode = sql.raw(
  `case when m.role in (${INSTANT_BY_DEFAULT.map((role) => `'${role}'`).join(", ")}) then 'instant' else 'off' end`,
);

/**
 * SQL over `notifications n`: the member is active in the organisation and, by their current
 * choice (the site's row, the all-sites row, the role's default), wants this one by `mode`.
 */
function wantedBy(mode: Exclude<NotificationEmailMode, "off">): SQL {
  return sql`exists (
    select 1 from memberships m
    left join notification_preferences ps on ps.user_id = n.user_id and ps.org_id = n.org_id
      and ps.kind = n.kind and ps.site_id = n.site_id
    left join notification_preferences pa on pa.user_id = n.user_id and pa.org_id = n.org_id
      and pa.kind = n.kind and pa.site_id is null
    where m.org_id = n.org_id and m.user_id = n.user_id and m.deactivated_at is null
      and coalesce(ps.email::text, pa.email::text, ${defaultEmailMode}) = ${mode})`;
}

const origin = (baseUrl: string) => new URL(baseUrl).origin;

/**
 * A failed send, without the SMTP server's text: a refusal often quotes the address, and the
 * error ends up in logs and in the job's failure reason in Redis.
 */
export class MailNotSentError extends Error {
  override name = "MailNotSentError";
}

/** Sends, replacing any error with one that names only its codes. */
export async function sendMail(mailer: NotificationMailServices["mailer"], mail: Mail): Promise<void> {
  try {
    await mailer.send(mail);
  } catch (error) {
    const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
    const codes = [code, responseCode].filter((part) => typeof part === "string" || typeof part === "number");
    throw new MailNotSentError(`the SMTP server did not accept the mail${codes.length ? ` (${codes.join(" ")})` : ""}`);
  }
}

/**
 * Mails a member what is waiting for them in one organisation by `mode` (instant: since
 * `INSTANT_MAIL_WINDOW_MS`; daily: the digest), in one message. `emailedAt` is set only once the
 * SMTP server accepted it; a failure throws (the job retries) and leaves them waiting. The
 * caller runs one of these per member at a time (the mail job's deduplication), so two never
 * send the same notifications.
 */
export async function mailWaitingNotifications(
  db: Database,
  services: NotificationMailServices,
  who: { orgId: string; userId: string },
  options: { mode: "instant" | "daily"; now?: Date },
): Promise<{ sent: number }> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - (options.mode === "daily" ? DIGEST_WINDOW_MS : INSTANT_MAIL_WINDOW_MS));
  const waiting = await db.execute<{
    id: string;
    kind: string;
    params: Record<string, string | number | null>;
    target_type: string;
    target_id: string | null;
    site_id: string | null;
  }>(sql`
    select n.id, n.kind, n.params, n.target_type, n.target_id, n.site_id from notifications n
    where n.org_id = ${who.orgId} and n.user_id = ${who.userId} and n.emailed_at is null
      and n.created_at > ${since.toISOString()}::timestamptz and ${wantedBy(options.mode)}
    order by n.created_at, n.id
    limit ${MAIL_BATCH_LIMIT}`);
  if (waiting.length === 0) return { sent: 0 };
  const [recipient] = await db
    .select({ email: users.email, organization: organizations.name })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, who.orgId))
    .where(eq(users.id, who.userId));
  if (!recipient) return { sent: 0 };
  const base = origin(services.baseUrl);
  await sendMail(
    services.mailer,
    notificationMail(recipient.email, {
      organization: recipient.organization,
      digest: options.mode === "daily",
      settingsLink: `${base}/notifications/preferences`,
      items: waiting.map((row) => ({
        kind: row.kind,
        params: row.params,
        link: `${base}${notificationHref({ targetType: row.target_type, targetId: row.target_id, siteId: row.site_id })}`,
      })),
    }),
  );
  const marked = await db
    .update(notifications)
    .set({ emailedAt: now })
    .where(
      and(
        inArray(
          notifications.id,
          waiting.map((row) => row.id),
        ),
        isNull(notifications.emailedAt),
      ),
    )
    .returning({ id: notifications.id });
  return { sent: marked.length };
}

/** Members with notifications waiting for mail by `mode` (the relay queues their mail; the digest sends it). */
export async function membersWithWaitingMail(
  db: Executor,
  mode: "instant" | "daily",
  now = new Date(),
): Promise<{ orgId: string; userId: string }[]> {
  const since = new Date(now.getTime() - (mode === "daily" ? DIGEST_WINDOW_MS : INSTANT_MAIL_WINDOW_MS));
  const rows = await db.execute<{ org_id: string; user_id: string }>(sql`
    select distinct n.org_id, n.user_id from notifications n
    where n.emailed_at is null and n.created_at > ${since.toISOString()}::timestamptz and ${wantedBy(mode)}`);
  return rows.map((row) => ({ orgId: row.org_id, userId: row.user_id }));
}

/**
 * The daily digest: one mail per member and organisation with what waited for it. A member whose
 * mail fails does not stop the others; the run then throws so the job retries those (the ones
 * sent are marked and go no second time).
 */
export async function sendDigests(db: Database, services: NotificationMailServices, now = new Date()) {
  let mails = 0;
  let failed = 0;
  for (const member of await membersWithWaitingMail(db, "daily", now)) {
    try {
      if ((await mailWaitingNotifications(db, services, member, { mode: "daily", now })).sent > 0) mails++;
    } catch {
      failed++;
    }
  }
  if (failed > 0) throw new Error(`daily digest: ${failed} of ${mails + failed} mails failed`);
  return { mails };
}

type LinkServices = Pick<NotificationMailServices, "baseUrl" | "portalSecret">;

/** The requester's status page, as the portal hands it out after verification. */
export const statusLink = (services: LinkServices, reference: string) =>
  `${origin(services.baseUrl)}/portal/status/${encodeURIComponent(reference)}?token=${statusToken(services.portalSecret, reference)}`;

const certificateLink = (services: LinkServices, reference: string) =>
  `${origin(services.baseUrl)}/api/portal/certificate?reference=${encodeURIComponent(reference)}&token=${statusToken(services.portalSecret, reference)}&format=pdf`;

/** What a mail to a requester is built from, read with their contact (decrypted here, never stored elsewhere). */
async function requestForMail(db: Executor, requestId: string) {
  const [request] = await db
    .select({
      reference: dsrRequests.referenceCode,
      type: dsrRequests.type,
      status: dsrRequests.status,
      dueAt: dsrRequests.dueAt,
      refusalReason: dsrRequests.refusalReason,
      contactEnc: dsrRequests.contactEnc,
      site: sites.name,
    })
    .from(dsrRequests)
    .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
    .where(eq(dsrRequests.id, requestId));
  if (!request?.contactEnc) return null;
  const contact = JSON.parse(decryptString(request.contactEnc, "dsr_requests.contact")) as { email?: string | null };
  if (!contact.email) return null;
  const { contactEnc: _, ...rest } = request;
  return { ...rest, email: contact.email };
}

/** Requests answered this recently get their requester's mail queued by the relay (if the web app's add was lost). */
export const SUBJECT_MAIL_CATCH_UP_MS = 30 * 60_000;

/**
 * The requester mails the relay queues again: refusals, and approvals that closed the request
 * (access, correction, withdrawal), answered within SUBJECT_MAIL_CATCH_UP_MS and still holding a
 * contact. The job ids make one already queued or sent a no-op. A deletion's approval has no
 * timestamp of its own; its requester gets the completion mail from the erasure.
 */
export async function requesterMailsToQueue(db: Executor, now = new Date()) {
  const rows = await db
    .select({ id: dsrRequests.id, status: dsrRequests.status })
    .from(dsrRequests)
    .where(
      and(
        gt(dsrRequests.closedAt, new Date(now.getTime() - SUBJECT_MAIL_CATCH_UP_MS)),
        isNotNull(dsrRequests.contactEnc),
        or(
          eq(dsrRequests.status, "refused"),
          and(eq(dsrRequests.status, "completed"), ne(dsrRequests.type, "deletion")),
        ),
      ),
    );
  return rows.map((row) => ({
    requestId: row.id,
    mail: row.status === "refused" ? ("refused" as const) : ("approved" as const),
  }));
}

/** Which request statuses each mail is about: a mail that no longer fits (a later change) is not sent. */
const MAIL_STATUSES: Record<SubjectMailKind, readonly string[]> = {
  received: ["open", "in_progress", "approved", "refused", "completed"],
  approved: ["approved", "completed"],
  refused: ["refused"],
  completed: ["completed"],
};

/**
 * Mails the requester about their request (the mail job). Skipped when the request no longer
 * holds a contact (pseudonymised by an erasure or retention) or its status no longer fits.
 * Throws when the SMTP server refuses, so the job retries.
 */
export async function mailRequester(
  db: Executor,
  services: NotificationMailServices,
  input: { requestId: string; mail: SubjectMailKind },
): Promise<{ sent: boolean }> {
  const request = await requestForMail(db, input.requestId);
  if (!request || !MAIL_STATUSES[input.mail].includes(request.status)) return { sent: false };
  await sendMail(
    services.mailer,
    subjectRequestMail(request.email, {
      kind: input.mail,
      reference: request.reference,
      type: request.type,
      site: request.site,
      statusLink: statusLink(services, request.reference),
      dueAt: request.dueAt,
      reason: request.refusalReason,
      certificateLink: input.mail === "completed" ? certificateLink(services, request.reference) : null,
    }),
  );
  await recordRequesterMail(db, input.requestId, input.mail);
  return { sent: true };
}

/**
 * The completion mail of an erasure, prepared before it runs: the erasure's last step drops the
 * request's contact, so the address is read now and kept in memory only. Null when there is
 * nobody to tell (no contact left, or not a deletion request still to erase). The returned
 * function sends it once the certificate exists.
 */
export async function prepareCompletionMail(
  db: Executor,
  services: NotificationMailServices,
  requestId: string,
): Promise<(() => Promise<void>) | null> {
  const request = await requestForMail(db, requestId);
  if (request?.type !== "deletion" || request.status !== "approved") return null;
  return async () => {
    await sendMail(
      services.mailer,
      subjectRequestMail(request.email, {
        kind: "completed",
        reference: request.reference,
        type: request.type,
        site: request.site,
        statusLink: statusLink(services, request.reference),
        certificateLink: certificateLink(services, request.reference),
      }),
    );
    await recordRequesterMail(db, requestId, "completed");
  };
}

/** Who the audit log says sent a requester's mail. */
const MAIL_ACTOR = { userId: null, label: "notifications" } as const;

/**
 * Puts a mail sent to the requester in the request's history (which mail, never the address).
 * Best effort: the mail is out, and a retry must not send it twice.
 */
export async function recordRequesterMail(db: Executor, requestId: string, mail: SubjectMailKind) {
  try {
    const [request] = await db
      .select({ orgId: dsrRequests.orgId })
      .from(dsrRequests)
      .where(eq(dsrRequests.id, requestId));
    if (!request) return;
    await db.transaction((tx) =>
      writeAudit(tx, {
        actor: MAIL_ACTOR,
        orgId: request.orgId,
        action: "request.mail",
        targetType: "request",
        targetId: requestId,
        details: { mail },
      }),
    );
  } catch {
    // The history lacks one line; the mail itself went out.
  }
}

/** The "request received" mail with the status link, sent by the portal right after verification. */
export function requestReceivedMail(
  services: LinkServices,
  request: { email: string; reference: string; type: string; site: string; dueAt: Date | null },
): Mail {
  return subjectRequestMail(request.email, {
    kind: "received",
    reference: request.reference,
    type: request.type,
    site: request.site,
    statusLink: statusLink(services, request.reference),
    dueAt: request.dueAt,
  });
}
