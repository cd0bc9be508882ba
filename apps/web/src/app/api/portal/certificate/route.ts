import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { portalServices } from "~/server/portal";
import { errorResponse } from "~/server/route-errors";

/** The requester downloads their deletion or withdrawal certificate with the reference and status link token. */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  try {
    const api = await requestApi(request, portalServices(request.headers));
    const { reference, certificate, sha256, kind } = await api.portal.certificate({
      reference: params.get("reference") ?? "",
      token: params.get("token") ?? "",
    });
    return new Response(`${JSON.stringify(certificate, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${kind}-certificate-${reference}.json"`,
        "X-Certificate-SHA256": sha256,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
