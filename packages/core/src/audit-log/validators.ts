import { z } from "zod";
import { storableDate, text } from "../validators/common";

/** An empty filter field means "any", so a cleared form input filters nothing. */
const optionalFilter = (max: number) =>
  text()
    .trim()
    .max(max)
    .optional()
    .transform((value) => value || undefined);

export const auditLogFilter = z.object({
  /** Part of the actor's label (name or email), matched literally, any case. */
  actor: optionalFilter(200),
  /** An action or its prefix: "camera." finds every camera action. */
  action: optionalFilter(100),
  targetType: optionalFilter(100),
  targetId: optionalFilter(200),
  from: storableDate().optional(),
  to: storableDate().optional(),
});

export const listAuditEntriesInput = auditLogFilter.extend({
  /** The id of the last entry already shown: the next page holds older entries only. */
  cursor: z.int().positive().optional(),
  limit: z.int().min(1).max(100).default(50),
});

/** Parsed filters; every field may be absent (a direct call, a test). */
export type AuditLogFilter = Partial<z.output<typeof auditLogFilter>>;
export type ListAuditEntriesInput = Partial<z.output<typeof listAuditEntriesInput>>;
