export * from "./evaluate";
export * from "./facts";
export * from "./filing";
export * from "./findings";
export * from "./placement";
export * from "./profiles";
export { cnCam01 } from "./rules/cn-cam-01";
export { cnCam02 } from "./rules/cn-cam-02";
export { cnDsrSla } from "./rules/cn-dsr-sla";
export { cnFr02 } from "./rules/cn-fr-02";
export { cnFr03, missingNoticeFields, NOTICE_FIELDS } from "./rules/cn-fr-03";
export { cnFr04 } from "./rules/cn-fr-04";
export { cnFr05, mayBeUnder14 } from "./rules/cn-fr-05";
export { cnFr06, TRANSFER_SCOPE } from "./rules/cn-fr-06";
export { cnFr07 } from "./rules/cn-fr-07";
export { ASSESSMENT_RETENTION_YEARS, assessmentDeletionRefusal, cnFr08 } from "./rules/cn-fr-08";
export { cnFr09 } from "./rules/cn-fr-09";
export { cnFr11 } from "./rules/cn-fr-11";
export { cnFr12, PUBLIC_SECURITY_PURPOSES } from "./rules/cn-fr-12";
export { cnFr13 } from "./rules/cn-fr-13";
export { cnFr14, cnFr14AuditChain } from "./rules/cn-fr-14";
export { cnFr15 } from "./rules/cn-fr-15";
export { cnPi03, requestRequiresDeletion } from "./rules/cn-pi-03";
export { cnPi06 } from "./rules/cn-pi-06";
export { cnSite01, REGION_CHANGE_NOTICE_DAYS, regionChangeFinding } from "./rules/cn-site-01";
export { eu09, eu17, eu35, euSla } from "./rules/eu";
export {
  RETENTION_OVERDUE_HOURS,
  RETENTION_OVERDUE_MS,
  type RetentionJobState,
  retentionJobState,
} from "./rules/retention";
export type {
  OrganizationIndex,
  OrganizationRule,
  Profile,
  ResolvedSettings,
  Rule,
  RuleContext,
  SiteRule,
} from "./rules/rule";
export {
  BIPA_LAST_INTERACTION_YEARS,
  BIPA_MAX_RETENTION_DAYS,
  hasWrittenRelease,
  il15a,
  il15b,
} from "./rules/us-il";
export * from "./score";
export { groupBy, indexSite, isValidSeparateConsent, type PendingDeletion, type SiteIndex } from "./site-index";
export * from "./working-days";
