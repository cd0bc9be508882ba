import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { FileStore, StoredKind } from "@consentry/storage";
import { requireSite } from "../lookups";
import { documentFileName, requireDocumentKind } from "./assessment-document";
import type { AssessmentInput } from "./record-assessment";

const { assessments } = schema;

/** Where assessment documents go in the file store, apart from photos. */
export const ASSESSMENT_DOCUMENT_KIND: StoredKind = "assessment-document";

export type AssessmentUpload = Omit<AssessmentInput, "documentSha256"> & {
  document: Uint8Array;
  documentName: string;
};

/**
 * Records a completed impact assessment (PIPIA, CN-FR-08) with its document: a PDF, DOCX or ODT,
 * known by its bytes. The file is stored under its content hash, and that SHA-256, computed here
 * from the bytes, is the assessment's `documentSha256` and goes into the audit chain, like a
 * sign's evidence photo.
 */
export async function uploadAssessment(
  deps: { db: Database; actor: AuditActor; orgId: string; storage: Pick<FileStore, "put"> },
  input: AssessmentUpload,
) {
  const { document, documentName, ...fields } = input;
  await requireSite(deps.db, deps.orgId, fields.siteId);
  const kind = requireDocumentKind(document);
  const name = documentFileName(documentName, kind);
  // Stored before the row: a crash in between leaves an unreferenced file, never a row without one.
  const { key, sha256 } = await deps.storage.put(ASSESSMENT_DOCUMENT_KIND, document, "bin");
  return deps.db.transaction(async (tx) => {
    await requireSite(tx, deps.orgId, fields.siteId);
    const [assessment] = await tx
      .insert(assessments)
      .values({ ...fields, orgId: deps.orgId, documentSha256: sha256, documentPath: key, documentName: name })
      .returning({ id: assessments.id });
    if (!assessment) throw new Error("insert returned no row");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "assessment.create",
      targetType: "assessment",
      targetId: assessment.id,
      details: {
        ...fields,
        documentSha256: sha256,
        documentName: name,
        documentKind: kind,
        bytes: document.byteLength,
      },
    });
    return { id: assessment.id, documentSha256: sha256, documentName: name };
  });
}
