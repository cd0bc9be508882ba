import { env } from "@consentry/env";
import { currentHealth } from "~/server/current-health";
import { healthView, presentsMetricsToken } from "~/server/health";
import { principalFromHeaders } from "~/server/principal";

export const dynamic = "force-dynamic";

/**
 * Up or down for everyone (200 or 503); the report by service, workers and inference capacity
 * for a signed-in platform admin or a caller with CONSENTRY_METRICS_TOKEN as a bearer token.
 */
export async function GET(request: Request) {
  const report = await currentHealth();
  const detailed =
    presentsMetricsToken(request.headers.get("authorization"), env.CONSENTRY_METRICS_TOKEN) ||
    // Without a cookie there is no session to look up: anonymous polling stays cheap.
    (request.headers.has("cookie") &&
      report.db === "up" &&
      (await principalFromHeaders(request.headers).catch(() => null))?.isPlatformAdmin === true);
  return Response.json(healthView(report, detailed), {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
