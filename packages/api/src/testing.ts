import { createUserWithPassword, loadPrincipal, type OrgRole, type Principal } from "@consentry/auth";
import type { InvitationServices } from "@consentry/core/members";
import type { PortalServices } from "@consentry/core/portal";
import { recordingJobs, temporaryStorage, unique } from "@consentry/core/testing";
import { camerasToAnalyse, type Database, schema, sql } from "@consentry/db";
import type { Mail } from "@consentry/mail";
import { createLeaseReader, type JobProducer, type LeaseReader } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import type { Redis } from "ioredis";
import { createCaller } from "./root";
import { createContext, unknownLeases } from "./trpc";

// Helpers that need no API live in @consentry/core/testing (workers use them too).
export {
  makeOrganization,
  makeTemplates,
  recognitionConsent,
  recordingJobs,
  temporaryStorage,
  unique,
} from "@consentry/core/testing";

/** A user with the given memberships and powers, as the API will see them. */
export async function makePrincipal(
  db: Database,
  options: {
    memberships?: [orgId: string, role: OrgRole][];
    platformAdmin?: boolean;
    jurisdictionCodes?: string[];
  } = {},
): Promise<Principal> {
  const email = `${unique("user")}@test.consentry.local`;
  const userId = await createUserWithPassword(db, { email, name: email, password: "correct horse battery" });
  for (const [orgId, role] of options.memberships ?? []) {
    await db.insert(schema.memberships).values({ orgId, userId, role });
  }
  if (options.platformAdmin) await db.insert(schema.platformAdmins).values({ userId });
  if (options.jurisdictionCodes) {
    await db
      .insert(schema.regulators)
      .values({ userId, authority: "Test Cyberspace Office", jurisdictionCodes: options.jurisdictionCodes });
  }
  return (await loadPrincipal(db, userId)) as Principal;
}

/**
 * Portal services for tests that are not about mail or rate limits: mail is recorded instead of
 * sent and the limiter only counts (the portal tests use real SMTP and Redis limits).
 */
export function recordingPortal(clientIp = "203.0.113.7") {
  const sent: Mail[] = [];
  const counts = new Map<string, number>();
  return {
    sent,
    counts,
    mailer: {
      send: async (mail: Mail) => {
        sent.push(mail);
      },
    },
    // Counts but never refuses: the access matrix calls the portal far more than a person would.
    limiter: {
      hit: async (key: string) => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return true;
      },
    },
    clientIp,
    secret: "consentry-portal-test-secret-000000000000",
  } satisfies PortalServices & { sent: Mail[]; counts: Map<string, number> };
}
export const sharedTestPortal = recordingPortal();
/** The code in the latest portal mail to `to`. */
export const lastCodeSentTo = (portal: { sent: Mail[] }, to: string) =>
  portal.sent.findLast((mail) => mail.to === to)?.subject.match(/\d{6}/)?.[0] ?? "";

/**
 * Lease states as the web app reads them, from real Redis under the test's own queue prefix;
 * the cameras to analyse come from this test database by the workers' rule (face recognition on,
 * camera enabled, site not archived). Tests that are not about lease states keep callerFor's
 * default, `unknownLeases`: as if Redis were down, so camera pages show no analysis state.
 */
export function liveLeases(db: Database, redis: Redis, prefix: string): LeaseReader {
  return createLeaseReader({
    redis,
    prefix,
    camerasToAnalyse: () => camerasToAnalyse(db),
  });
}

/** Invitation mail recorded instead of sent (the members tests use real SMTP). */
export function recordingMail(baseUrl = "http://consentry.test") {
  const sent: Mail[] = [];
  return {
    sent,
    baseUrl,
    mailer: {
      send: async (mail: Mail) => {
        sent.push(mail);
      },
    },
  } satisfies InvitationServices & { sent: Mail[] };
}
export const sharedTestMail = recordingMail();
/** The token of the latest invitation link mailed to `to`. */
export const lastInvitationTokenSentTo = (mail: { sent: Mail[] }, to: string) =>
  /\/invite\?token=([A-Za-z0-9_-]+)/.exec(mail.sent.findLast((m) => m.to === to)?.text ?? "")?.[1] ?? "";

export function callerFor(
  db: Database,
  principal: Principal | null,
  jobs: JobProducer = recordingJobs(),
  storage: FileStore = temporaryStorage(),
  portal: PortalServices = sharedTestPortal,
  leases: LeaseReader = unknownLeases,
  mail: InvitationServices = sharedTestMail,
) {
  return createCaller(createContext({ db, principal, jobs, storage, portal, leases, mail }));
}

/**
 * Every row of every table, hashed per table: a refused call must leave all of them as they were.
 * The one write a refused call may make is the audit entry of a regulator's view.
 */
export async function databaseDigest(db: Database): Promise<string[]> {
  const tables = await db.execute<{ name: string }>(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const parts = tables.map(({ name }) => {
    const where = name === "audit_log" ? sql` where t.action <> 'regulator.view'` : sql``;
    return sql`select ${name} as name, count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as hash from ${sql.identifier(name)} t${where}`;
  });
  const rows = await db.execute<{ name: string; rows: number; hash: string }>(sql.join(parts, sql` union all `));
  return rows.map((row) => `${row.name}: ${row.rows} rows, ${row.hash}`).sort();
}
