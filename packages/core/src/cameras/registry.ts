import { checkCameraPlacement } from "@consentry/compliance";
import { encryptString, keyIdOf, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { and, type Executor, eq, schema } from "@consentry/db";
import {
  type CameraAddressVerdict,
  cameraUrlFingerprint,
  checkUrlWithPolicy,
  loadNetworkPolicy,
  type NetworkPolicy,
  type Resolver,
  systemResolver,
} from "@consentry/network";
import { type DomainError, fieldError, isUniqueViolation } from "../errors";
import { maskRtspUrl } from "../validators";

const { sites, entryPoints } = schema;

/** The stored form of an RTSP URL: encrypted, its key id, a masked copy to show, its fingerprint. */
export function sealRtspUrl(url: string) {
  const rtspUrlEnc = encryptString(url, RTSP_URL_CONTEXT);
  return {
    rtspUrlEnc,
    rtspKeyId: keyIdOf(rtspUrlEnc) ?? null,
    rtspUrlMasked: maskRtspUrl(url),
    rtspUrlFingerprint: cameraUrlFingerprint(url),
  };
}

/** Message keys (web "validation" namespace) for each network-policy refusal. */
export const NETWORK_REFUSAL_KEYS = {
  invalid: "rtspHost",
  not_allowed: "rtspNotInNetworks",
  reserved: "rtspReserved",
  unresolvable: "rtspUnresolvable",
} as const;

type Refusal = Extract<CameraAddressVerdict, { ok: false }>;

export function networkRefusalError(verdict: Refusal): DomainError {
  return fieldError("refused", "rtspUrl", NETWORK_REFUSAL_KEYS[verdict.reason], `rtspUrl: ${verdict.detail}`);
}

/** Refuses a URL the organisation's camera networks do not allow (names resolved now). */
export async function requireAllowedRtspUrl(db: Executor, orgId: string, url: string, resolve?: Resolver) {
  const verdict = await checkUrlWithPolicy(await loadNetworkPolicy(db, orgId), url, resolve);
  if (!verdict.ok) throw networkRefusalError(verdict);
}

export const RTSP_URL_TAKEN = "cameras_rtsp_url_fingerprint_unique";

/** The same stream registered twice, here or in another organisation, is one camera too many. */
export function rethrowUrlTaken(error: unknown): never {
  if (isUniqueViolation(error, RTSP_URL_TAKEN)) {
    throw fieldError("conflict", "rtspUrl", "rtspTaken", "rtspUrl: this camera URL is already registered.");
  }
  throw error;
}

/**
 * Checks many URLs against one policy, a few DNS lookups at a time, each name resolved once:
 * a 5,000-row import must neither take minutes nor flood the resolver.
 */
export async function checkRtspUrls(
  policy: NetworkPolicy,
  urls: string[],
  resolve: Resolver = systemResolver,
  concurrency = 16,
): Promise<CameraAddressVerdict[]> {
  const lookups = new Map<string, Promise<string[]>>();
  const cached: Resolver = (name) => {
    let answer = lookups.get(name);
    if (!answer) {
      answer = resolve(name);
      lookups.set(name, answer);
    }
    return answer;
  };
  const verdicts: CameraAddressVerdict[] = new Array(urls.length);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const index = next++;
      verdicts[index] = await checkUrlWithPolicy(policy, urls[index] as string, cached);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
  return verdicts;
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
