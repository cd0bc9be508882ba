import { MAX_DOCUMENT_BYTES } from "@consentry/core/records";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { errorResponse } from "~/server/route-errors";

/**
 * Records an impact assessment with its document (multipart: `siteId`, `scope`, `approver`,
 * `completedAt`, `nextReviewAt`, `document`), as the signed-in manager of `?orgId=`. The server
 * computes the document's SHA-256 from the bytes it stores.
 */
export async function POST(request: NextRequest) {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_DOCUMENT_BYTES + 256 * 1024) {
    return Response.json(
      { error: "The file is larger than 10 MB.", field: "document", reason: "fileTooLarge" },
      { status: 413 },
    );
  }
  try {
    const form = await request.formData().catch(() => null);
    const document = form?.get("document");
    if (!(document instanceof File) || document.size === 0) {
      return Response.json(
        { error: "Choose the assessment document to upload.", field: "document", reason: "required" },
        { status: 400 },
      );
    }
    const field = (name: string) => String(form?.get(name) ?? "");
    const api = await requestApi(request);
    const result = await api.assessments.upload({
      orgId: request.nextUrl.searchParams.get("orgId") ?? "",
      siteId: field("siteId"),
      scope: field("scope"),
      approver: field("approver"),
      completedAt: new Date(field("completedAt")),
      nextReviewAt: field("nextReviewAt") ? new Date(field("nextReviewAt")) : null,
      document: new Uint8Array(await document.arrayBuffer()),
      documentName: document.name || "assessment",
    });
    return Response.json(result);
  } catch (error) {
    return errorResponse(error);
  }
}
