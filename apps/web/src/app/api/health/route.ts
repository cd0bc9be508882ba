import { currentHealth } from "~/server/current-health";

export const dynamic = "force-dynamic";

export async function GET() {
  const report = await currentHealth();
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
