export type { DeletionCertificate, ErasureResult } from "./certificate";
export { deleteWithdrawnTemplates } from "./delete-templates";
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
export type { ErasureCounts } from "./progress";
export { ErasureRefusedError } from "./request";
export { RESIDUAL_SCAN_TABLES, ResidualDataError, type Residue, scanResidue } from "./residue";
