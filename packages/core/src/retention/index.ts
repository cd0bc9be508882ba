export {
  checkTemplatePeriod,
  RETENTION_TARGETS,
  type RetentionPolicyFields,
  type RetentionPolicyRow,
  type RetentionTarget,
  retentionPolicyFields,
  siteRetentionPolicy,
  templateMaxDays,
  US_IL_TEMPLATE_MAX_DAYS,
  updateRetentionPolicy,
} from "./policy";
export { siteRetentionReport } from "./report";
export {
  lastRetentionRun,
  nextRetentionRunAt,
  RETENTION_BATCH_SIZE,
  RETENTION_REPEAT,
  type RetentionCountKind,
  type RetentionCounts,
  type RetentionOptions,
  type RetentionRunResult,
  retentionDue,
  runRetention,
  totalsOf,
} from "./run";
