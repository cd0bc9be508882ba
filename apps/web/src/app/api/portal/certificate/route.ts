import { certificateDownload } from "@consentry/core/portal";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { portalServices } from "~/server/portal";
import { errorResponse } from "~/server/route-errors";

/**
 * The requester downloads their deletion or withdrawal certificate with the reference and status
 * link token: `?format=pdf` the readable, bilingual PDF; otherwise the JSON, whose bytes are
 * exactly what the stated SHA-256 (X-Certificate-SHA256) is over.
 */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  try {
    const api = await requestApi(request, portalServices(request.headers));
    const found = await api.portal.certificate({
      reference: params.get("reference") ?? "",
      token: params.get("token") ?? "",
    });
    const { body, contentType, fileName } = await certificateDownload(
      found,
      params.get("format") === "pdf" ? "pdf" : "json",
    );
    return new Response(new Uint8Array(body), {
      headers: {
        "Content-Type": contentType,
        "Content-Disposition": `attachment; filename="${fileName}"`,
        "X-Certificate-SHA256": found.sha256,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
