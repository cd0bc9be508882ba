import { type Database, eq, schema } from "@consentry/db";
import { certificateBytes, type DeletionCertificate } from "../dsr/certificate";
import { type CertificateKind, renderCertificatePdf } from "../dsr/certificate-pdf";
import type { WithdrawalCertificate } from "../dsr/delete-templates";
import { DomainError } from "../errors";
import { checkStatusToken } from "./limits";
import type { StatusLink } from "./request-status";
import type { PortalServices } from "./services";

const { dsrRequests } = schema;

/**
 * The request's certificate, exactly as hashed into the audit chain: the deletion certificate of
 * an erasure, or the withdrawal certificate once a withdrawal's face data is deleted. `kind`
 * says which.
 */
export async function requestCertificate(deps: { db: Database } & Pick<PortalServices, "secret">, input: StatusLink) {
  const reference = checkStatusToken(deps, input);
  const [request] = await deps.db
    .select({ type: dsrRequests.type, certificate: dsrRequests.certificate, sha256: dsrRequests.certificateSha256 })
    .from(dsrRequests)
    .where(eq(dsrRequests.referenceCode, reference));
  if (!request?.certificate || !request.sha256) {
    throw new DomainError("notFound", "No certificate has been issued for this request yet.");
  }
  const kind = request.type === "withdrawal" ? ("withdrawal" as const) : ("deletion" as const);
  return { reference, kind, certificate: request.certificate, sha256: request.sha256 };
}

/** `deletion-certificate-R-….json` or `.pdf`: the PDF names the JSON file its hash covers. */
export const certificateFileName = (kind: CertificateKind, reference: string, format: "json" | "pdf") =>
  `${kind}-certificate-${reference}.${format}`;

/**
 * A certificate as the requester downloads it. JSON: exactly the bytes its SHA-256 is over
 * (`certificateBytes`, canonical JSON), so `sha256sum` of the file prints the stated hash. PDF:
 * the same certificate, readable in Chinese and English, printing that hash and what it covers.
 */
export async function certificateDownload(
  found: Awaited<ReturnType<typeof requestCertificate>>,
  format: "json" | "pdf",
): Promise<{ body: Buffer; contentType: string; fileName: string }> {
  const { kind, reference, certificate, sha256 } = found;
  const jsonFileName = certificateFileName(kind, reference, "json");
  if (format === "json") {
    return {
      body: certificateBytes(certificate),
      contentType: "application/json; charset=utf-8",
      fileName: jsonFileName,
    };
  }
  const body =
    kind === "withdrawal"
      ? await renderCertificatePdf({ kind, certificate: certificate as WithdrawalCertificate, sha256, jsonFileName })
      : await renderCertificatePdf({ kind, certificate: certificate as DeletionCertificate, sha256, jsonFileName });
  return { body, contentType: "application/pdf", fileName: certificateFileName(kind, reference, "pdf") };
}
