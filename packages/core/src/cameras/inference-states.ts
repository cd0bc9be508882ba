import type { LeaseReader, LeaseState } from "@consentry/queue";

/**
 * What the inference workers do with these cameras of one organisation: only their ids are
 * asked about, so no state of another organisation's camera is ever returned. `waitingForWorker`
 * counts the cameras of the whole installation waiting for a free inference slot (a capacity
 * figure, no camera named). Cameras without face recognition are not asked about; without any,
 * or when Redis does not answer, states are null.
 */
export async function inferenceStates(
  leases: LeaseReader,
  rows: { id: string; frEnabled: boolean; disabledAt: Date | null }[],
): Promise<{ stateOf: (id: string) => LeaseState | null; waitingForWorker: number | null }> {
  const analysable = rows.filter((row) => row.frEnabled && !row.disabledAt).map((row) => row.id);
  // Never an error page: the camera pages work without Redis, only without these states.
  const leased = analysable.length > 0 ? await leases.read(analysable).catch(() => null) : null;
  return {
    stateOf: (id) => leased?.states.get(id) ?? null,
    waitingForWorker: leased?.counts.waiting ?? null,
  };
}
