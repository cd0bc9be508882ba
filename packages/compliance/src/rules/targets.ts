// How findings name what they are about. People appear by pseudonym only.
import type { CameraFacts, EntryPointFacts, NoticeFacts, RequestFacts, SiteInfo, TemplateFacts } from "../facts";
import type { Target } from "../findings";
import type { SiteIndex } from "../site-index";

export const siteTarget = (site: SiteInfo): Target => ({ type: "site", id: site.id, label: site.name });

export const cameraTarget = (camera: CameraFacts): Target => ({ type: "camera", id: camera.id, label: camera.name });

export const entryPointTarget = (entryPoint: EntryPointFacts): Target => ({
  type: "entryPoint",
  id: entryPoint.id,
  label: entryPoint.name,
});

export const noticeTarget = (notice: NoticeFacts): Target => ({
  type: "notice",
  id: notice.id,
  label: `Notice v${notice.version}`,
  labelCode: "notice",
  labelParams: { version: notice.version },
});

export const requestTarget = (request: RequestFacts): Target => ({
  type: "request",
  id: request.id,
  label: request.reference ?? `${request.type} request`,
  ...(request.reference ? {} : { labelCode: "requestOfType" as const, labelParams: { type: request.type } }),
});

export function pseudonymOf(site: SiteIndex, subjectId: string): string | null {
  return site.subjectsById.get(subjectId)?.pseudonym ?? null;
}

export const subjectTarget = (site: SiteIndex, subjectId: string): Target => {
  const pseudonym = pseudonymOf(site, subjectId);
  return pseudonym
    ? { type: "subject", id: subjectId, label: pseudonym }
    : { type: "subject", id: subjectId, label: "unknown subject", labelCode: "unknownSubject" };
};

export const templateTarget = (site: SiteIndex, template: TemplateFacts): Target => {
  const pseudonym = pseudonymOf(site, template.subjectId);
  return {
    type: "template",
    id: template.id,
    subjectId: template.subjectId,
    label: `Template of ${pseudonym ?? "unknown subject"}`,
    ...(pseudonym ? { labelCode: "template", labelParams: { pseudonym } } : { labelCode: "unknownSubject" }),
  };
};

/** "entry_verification" -> "entry verification", for messages. */
export const purposeText = (purpose: string) => purpose.replaceAll("_", " ");
