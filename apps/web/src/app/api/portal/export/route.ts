import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { portalServices } from "~/server/portal";
import { errorResponse } from "~/server/route-errors";

/** The answer to an access request as a JSON file (the status page shows the same). */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  try {
    const api = await requestApi(request, portalServices(request.headers));
    const data = await api.portal.export({
      reference: params.get("reference") ?? "",
      token: params.get("token") ?? "",
    });
    return new Response(`${JSON.stringify(data, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="my-data-${data.reference}.json"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
