import { checkCameraPlacement } from "@consentry/compliance";
import { encryptString, keyIdOf, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { and, type Executor, eq, schema } from "@consentry/db";
import { type DomainError, fieldError } from "../errors";
import { maskRtspUrl } from "../validators";

const { sites, entryPoints } = schema;

/** The stored form of an RTSP URL: encrypted, its key id, and a masked copy to show. */
export function sealRtspUrl(url: string) {
  const rtspUrlEnc = encryptString(url, RTSP_URL_CONTEXT);
  return { rtspUrlEnc, rtspKeyId: keyIdOf(rtspUrlEnc) ?? null, rtspUrlMasked: maskRtspUrl(url) };
}

export type PlacementProblem = {
  field: "siteId" | "entryPointId" | "locationType" | "frEnabled";
  reason: string;
  message: string;
};

/**
 * Checks where a camera is to go: the site and entry point belong to the organisation (and
 * to each other), and the compliance rules allow a camera, and face recognition, there.
 */
export async function placementProblem(
  db: Executor,
  orgId: string,
  camera: { siteId: string; entryPointId: string | null; locationType: string; frEnabled: boolean },
): Promise<PlacementProblem | null> {
  const [site] = await db
    .select({ id: sites.id, archivedAt: sites.archivedAt })
    .from(sites)
    .where(and(eq(sites.id, camera.siteId), eq(sites.orgId, orgId)));
  if (!site || site.archivedAt) return { field: "siteId", reason: "unknownSite", message: "Site not found." };
  if (camera.entryPointId) {
    const [entry] = await db
      .select({ id: entryPoints.id })
      .from(entryPoints)
      .where(and(eq(entryPoints.id, camera.entryPointId), eq(entryPoints.siteId, site.id)));
    if (!entry) {
      return { field: "entryPointId", reason: "unknownEntryPoint", message: "Entry point not found at this site." };
    }
  }
  if (camera.frEnabled) {
    const [assessment] = await db
      .select({ id: schema.assessments.id })
      .from(schema.assessments)
      .where(eq(schema.assessments.siteId, site.id))
      .limit(1);
    const violation = checkCameraPlacement(camera);
    if (!assessment && !violation) {
      return {
        field: "frEnabled",
        reason: "rulePipiaMissing",
        message:
          "CN-FR-08: record a personal-information impact assessment (PIPIA) for this site before face recognition starts.",
      };
    }
  }
  const violation = checkCameraPlacement(camera);
  if (violation) {
    const fr = violation.ruleId === "CN-FR-13";
    return {
      field: fr ? "frEnabled" : "locationType",
      reason: fr ? "ruleFrPrivateSpace" : "ruleCameraPrivateSpace",
      message: violation.message,
    };
  }
  return null;
}

export function placementError(problem: PlacementProblem): DomainError {
  const kind = problem.reason === "unknownSite" || problem.reason === "unknownEntryPoint" ? "notFound" : "refused";
  return fieldError(kind, problem.field, problem.reason, problem.message);
}
