import { buildRegulatorReport, type ReportScope } from "@consentry/core/regulator";
import type { NextRequest } from "next/server";
import { requestApi } from "~/server/caller";
import { errorResponse } from "~/server/route-errors";
import { reportLanguage, reportLocale } from "./language";

/**
 * A PDF report for the signed-in regulator: `?scope=jurisdiction`, `?scope=organization&id=`, `?scope=site&id=`.
 * `?scope=organisation` is the earlier spelling of the public parameter and is still accepted.
 * Findings are in `?locale=` (zh-CN, en), else in the reader's language as the UI picks it.
 */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const id = params.get("id") ?? "";
  const kind = params.get("scope");
  const scope: ReportScope | null =
    kind === "site"
      ? { kind: "site", siteId: id }
      : kind === "organization" || kind === "organisation"
        ? { kind: "organization", orgId: id }
        : kind === "jurisdiction" || kind === null
          ? { kind: "jurisdiction" }
          : null;
  if (!scope) return Response.json({ error: "scope must be jurisdiction, organisation or site." }, { status: 400 });
  try {
    const { pdf, name } = await buildRegulatorReport(
      (await requestApi(request)).regulator,
      scope,
      reportLanguage(reportLocale(request)),
    );
    const day = new Date().toISOString().slice(0, 10);
    return new Response(new Uint8Array(pdf), {
      headers: {
        "Content-Type": "application/pdf",
        "Content-Disposition": `attachment; filename="consentry-${name}-${day}.pdf"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
