// A large, compliant organisation for sanity and benchmark runs.

import type {
  CameraFacts,
  ConsentFacts,
  EntryPointFacts,
  OrganizationFacts,
  RequestFacts,
  SignFacts,
  SiteFacts,
  SubjectFacts,
  TemplateFacts,
} from "../facts";
import {
  assessment,
  camera,
  consent,
  daysAgo,
  dsrRequest,
  entryPoint,
  NOW,
  notice,
  retentionFacts,
  sign,
  template,
} from "./builders";

export interface GeneratedOrganizationSize {
  sites: number;
  camerasPerSite: number;
  /** One subject, consent and template each. */
  templatesPerSite: number;
  entryPointsPerSite?: number;
  requestsPerSite?: number;
}

/**
 * A large, compliant organisation for sanity and benchmark runs, e.g. 500 sites x 20 cameras x
 * 200 templates. Ids are unique across the organisation; the same size always gives the same facts.
 */
export function generateOrganization(size: GeneratedOrganizationSize, now: Date = NOW): OrganizationFacts {
  const entryPointsPerSite = size.entryPointsPerSite ?? 4;
  const requestsPerSite = size.requestsPerSite ?? 10;
  const ago = (days: number) => daysAgo(days, now);
  const sites: SiteFacts[] = [];
  for (let s = 0; s < size.sites; s++) {
    const siteId = `site-${s}`;
    const entryPoints: EntryPointFacts[] = [];
    const signs: SignFacts[] = [];
    for (let e = 0; e < entryPointsPerSite; e++) {
      const id = `${siteId}-ep-${e}`;
      entryPoints.push(entryPoint({ id, name: `Door ${e + 1}`, alternatives: ["key_card", "staff_check"] }));
      signs.push(sign({ id: `${siteId}-sign-${e}`, entryPointIds: [id], verifiedAt: ago(5) }));
    }
    const cameras: CameraFacts[] = [];
    for (let c = 0; c < size.camerasPerSite; c++) {
      cameras.push(
        camera({
          id: `${siteId}-cam-${c}`,
          name: `Camera ${c + 1}`,
          entryPointId: `${siteId}-ep-${c % entryPointsPerSite}`,
        }),
      );
    }
    const subjects: SubjectFacts[] = [];
    const consents: ConsentFacts[] = [];
    const templates: TemplateFacts[] = [];
    for (let t = 0; t < size.templatesPerSite; t++) {
      const subjectId = `${siteId}-subj-${t}`;
      subjects.push({ id: subjectId, pseudonym: `P-${s}-${t}`, isMinor: false });
      consents.push(
        consent({
          id: `${siteId}-consent-${t}`,
          subjectId,
          noticeId: `${siteId}-notice`,
          givenAt: ago(40 + (t % 200)),
        }),
      );
      templates.push(
        template({
          id: `${siteId}-tpl-${t}`,
          subjectId,
          consentId: `${siteId}-consent-${t}`,
          createdAt: ago(39 + (t % 200)),
          lastUsedAt: ago(t % 30),
        }),
      );
    }
    const requests: RequestFacts[] = [];
    for (let r = 0; r < requestsPerSite; r++) {
      requests.push(dsrRequest({ id: `${siteId}-req-${r}`, verifiedAt: ago(10 + r * 3), closedAt: ago(8 + r * 3) }));
    }
    sites.push({
      site: {
        id: siteId,
        name: `Site ${s + 1}`,
        kind: "residential",
        templateRetentionDays: 365,
        lastMaterialChangeAt: ago(100),
      },
      entryPoints,
      cameras,
      signs,
      notices: [notice({ id: `${siteId}-notice` })],
      subjects,
      consents,
      templates,
      requests,
      assessments: [assessment({ id: `${siteId}-pipia`, completedAt: ago(90) })],
      // Due within the last hour: the next run deletes it, so nothing is reported.
      retention: retentionFacts({
        due: { templates: 3 },
        lastRun: { status: "completed", startedAt: new Date(now.getTime() - 60_000), finishedAt: now },
      }),
    });
  }
  return {
    now,
    profile: "CN",
    organization: { id: "org-large", name: "Large Holdings", filing: null },
    sites,
    auditChainOk: true,
  };
}
