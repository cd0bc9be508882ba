export type { DeletionCertificate, ErasureResult } from "./certificate";
export {
  deleteWithdrawnFaceData,
  deleteWithdrawnTemplates,
  type TemplateDeletionResult,
  type WithdrawalCertificate,
} from "./delete-templates";
export { ERASURE_STEPS, type EraseSubjectOptions, type ErasureStep, eraseSubjectForRequest } from "./erase-subject";
export {
  addToOutbox,
  OUTBOX_STUCK_AFTER_MS,
  type OutboxJob,
  type OutboxProducer,
  RECONCILE_AFTER_MS,
  reconcileJobs,
  relayAfterCommit,
  relayOutbox,
  requestReferences,
  stuckOutboxRows,
  templateDeletionJobId,
} from "./outbox";
export type { ErasureReach } from "./person";
export type { ErasureCounts } from "./progress";
export { ErasureRefusedError } from "./request";
export {
  RESIDUAL_SCAN_PLACES,
  RESIDUAL_SCAN_TABLES,
  ResidualDataError,
  type Residue,
  type ResidueScope,
  scanResidue,
} from "./residue";
