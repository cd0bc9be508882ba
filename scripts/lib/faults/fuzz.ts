// The hostile inputs of packages/api/src/fuzz.test.ts, sent through the real router in process (the
// same createCaller the web app's handler uses) while the installation is under faults. Here a
// 500, or an answer that carries SQL, is a failure; the test also wants each refusal to name its field.
import { makeFixture, sendHostileInput } from "@consentry/api/hostile-input";
import type { Database } from "@consentry/db";

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
  const outcomes = await sendHostileInput(db, await makeFixture(db));
  const statuses: Record<number, number> = {};
  for (const { status } of outcomes) statuses[status] = (statuses[status] ?? 0) + 1;
  const serverErrors = outcomes.filter((outcome) => outcome.status >= 500);
  return {
    calls: outcomes.length,
    serverErrors: serverErrors.length,
    leaks: outcomes.filter((outcome) => outcome.leaked).length,
    accepted: statuses[200] ?? 0,
    statuses,
    examples: serverErrors.slice(0, 5).map((outcome) => `${outcome.where}: ${outcome.message.slice(0, 120)}`),
  };
}
