// Hostile input against every tRPC procedure, through the real router in process (the same
// createCaller the web app's handler uses): each string leaf gets a NUL byte or a lone surrogate,
// each date one PostgreSQL cannot store; the rest of the input is plausible. The mutants are those
// of packages/api/src/fuzz.test.ts. A 500 (or an error that is not a tRPC error) is a failure.
import { appRouter } from "@consentry/api";
import { callerFor, makeOrganization, makePrincipal, recognitionConsent, unique } from "@consentry/api/testing";
import type { Database } from "@consentry/db";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { type InputLeaf, inputLeaves } from "../../../packages/api/src/input-leaves";

const TEXT_MUTANTS = (valid: unknown) => {
  const base = typeof valid === "string" ? valid : "x";
  return ["\u0000", "\ud800", `${base}\u0000`, `${base}\ud800`, `\udc00${base}`];
};
const DATE_MUTANTS = [
  new Date("0000-01-01T00:00:00Z"),
  new Date("-100000-01-01T00:00:00Z"),
  new Date("+010000-01-01T00:00:00Z"),
  new Date("+300000-01-01T00:00:00Z"),
];
const SQL_IN_MESSAGE = ["Failed query", "select ", "insert ", "update ", "params:"];

type Procedure = { _def: { inputs: Parameters<typeof inputLeaves>[0][]; type: string } };

function setAt(target: unknown, path: InputLeaf["path"], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (head === "[]") return [setAt(Array.isArray(target) ? target[0] : undefined, rest, value)];
  const object = (target ?? {}) as Record<string, unknown>;
  return { ...object, [head]: setAt(object[head], rest, value) };
}

export type FuzzResult = {
  calls: number;
  serverErrors: number;
  leaks: number;
  accepted: number;
  /** Answers by HTTP status, e.g. { 400: 330, 404: 13 }. */
  statuses: Record<number, number>;
  examples: string[];
};

/** Runs the fuzz in its own organisation of `db`; never touches the others. */
export async function fuzzProcedures(db: Database): Promise<FuzzResult> {
  const org = await makeOrganization(db);
  // Passes every gate (owner, platform admin, regulator of the site's region), so each hostile
  // value reaches the procedure's own validation.
  const everyone = await makePrincipal(db, {
    memberships: [[org.id, "owner"]],
    platformAdmin: true,
    jurisdictionCodes: ["310000"],
  });
  const api = callerFor(db, everyone);
  const site = await api.sites.create({
    orgId: org.id,
    name: unique("Fuzz Site"),
    address: "1 Century Avenue",
    regionCode: "310115",
    kind: "office",
    templateRetentionDays: 365,
  });
  const subject = await api.subjects.create({
    orgId: org.id,
    displayName: "李雷",
    contact: null,
    isMinor: false,
    birthYear: null,
  });
  const consent = await api.subjects.giveConsent({ orgId: org.id, ...recognitionConsent(subject.id, site.id) });
  const ids: Record<string, string> = {
    orgId: org.id,
    siteId: site.id,
    subjectId: subject.id,
    consentId: consent.id,
  };
  // A plausible value for each leaf; ids that the fixture lacks get a random (absent) one.
  const plausible = (leaf: InputLeaf) => {
    const name = String(leaf.path.at(-1));
    if (leaf.kind === "date") return new Date();
    if (leaf.kind === "format") return ids[name] ?? crypto.randomUUID();
    return ids[name] ?? "Sample text";
  };

  const result: FuzzResult = { calls: 0, serverErrors: 0, leaks: 0, accepted: 0, statuses: {}, examples: [] };
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);
  for (const [path, procedure] of procedures) {
    const leaves = procedure._def.inputs.flatMap((schema) => inputLeaves(schema));
    let valid: unknown = {};
    for (const leaf of leaves) valid = setAt(valid, leaf.path, plausible(leaf));
    for (const leaf of leaves) {
      if (leaf.kind === "format") continue;
      const mutants = leaf.kind === "date" ? DATE_MUTANTS : TEXT_MUTANTS(plausible(leaf));
      for (const mutant of mutants) {
        const caller = callerFor(db, path.startsWith("portal.") ? null : everyone) as unknown as Record<
          string,
          unknown
        >;
        const call = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
          input: unknown,
        ) => Promise<unknown>;
        result.calls++;
        const outcome = await call(setAt(valid, leaf.path, mutant)).then(
          () => ({ status: 200, message: "" }),
          (error: unknown) =>
            error instanceof TRPCError
              ? { status: getHTTPStatusCodeFromError(error), message: error.message }
              : { status: 500, message: String(error) },
        );
        const shown = typeof mutant === "string" ? JSON.stringify(mutant) : String(mutant);
        const where = `${path} ${leaf.path.join(".")}=${shown}`;
        result.statuses[outcome.status] = (result.statuses[outcome.status] ?? 0) + 1;
        if (outcome.status === 200) result.accepted++;
        if (SQL_IN_MESSAGE.some((fragment) => outcome.message.includes(fragment))) result.leaks++;
        if (outcome.status >= 500) {
          result.serverErrors++;
          if (result.examples.length < 5) result.examples.push(`${where}: ${outcome.message.slice(0, 120)}`);
        }
      }
    }
  }
  return result;
}
