/** Who the erasure's and the template deletion's audit entries name. */
export const OPS_ACTOR = { userId: null, label: "ops-worker" } as const;

/** The sorted set union of two lists of ids. */
export const union = (a: readonly string[], b: readonly string[] = []) => [...new Set([...a, ...b])].sort();
