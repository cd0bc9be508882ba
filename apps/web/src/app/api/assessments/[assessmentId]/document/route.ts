import { readAssessmentDocument } from "@consentry/core/records";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { errorResponse } from "~/server/route-errors";
import { storage } from "~/server/storage";

type Params = { params: Promise<{ assessmentId: string }> };

/** `filename` for old clients (ASCII only), `filename*` with the real name (RFC 6266). */
function contentDisposition(name: string) {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The assessment's document, for members of its organisation (`?orgId=`), as a download. */
export async function GET(request: NextRequest, { params }: Params) {
  const { assessmentId } = await params;
  try {
    const api = await requestApi(request);
    const { key, sha256, name } = await api.assessments.document({
      orgId: request.nextUrl.searchParams.get("orgId") ?? "",
      assessmentId,
    });
    const { bytes, contentType } = await readAssessmentDocument(storage, key);
    return new Response(bytes, {
      headers: {
        "Content-Type": contentType,
        "Content-Disposition": contentDisposition(name),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Content-SHA256": sha256,
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
