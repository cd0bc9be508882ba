import { and, type Database, eq, schema } from "@consentry/db";
import type { FileStore } from "@consentry/storage";
import { notFound } from "../errors";
import { DOCUMENT_CONTENT_TYPES, documentKind } from "./assessment-document";

const { assessments } = schema;

/** Where an assessment's document is, for the route that serves it to members. */
export async function assessmentDocument(deps: { db: Database; orgId: string }, input: { assessmentId: string }) {
  const [assessment] = await deps.db
    .select()
    .from(assessments)
    .where(and(eq(assessments.id, input.assessmentId), eq(assessments.orgId, deps.orgId)));
  if (!assessment) return notFound("Assessment");
  if (!assessment.documentPath)
    return notFound("Assessment document", "This assessment was recorded by its hash only.");
  return {
    key: assessment.documentPath,
    sha256: assessment.documentSha256,
    name: assessment.documentName ?? `assessment-${assessment.id}`,
  };
}

/** The document's bytes and the type they are served as, known again from the bytes themselves. */
export async function readAssessmentDocument(storage: Pick<FileStore, "read">, key: string) {
  const bytes = new Uint8Array(await storage.read(key));
  const kind = documentKind(bytes);
  return { bytes, contentType: kind ? DOCUMENT_CONTENT_TYPES[kind] : "application/octet-stream" };
}
