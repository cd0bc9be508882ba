// Test helpers that need no API: for the use cases' own tests, the API's and the workers'.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sealEmbedding } from "@consentry/crypto";
import { type Database, schema } from "@consentry/db";
import { openCameraNetworks } from "@consentry/db/testing";
import type { Invalidation, JobProducer, MemberInvalidation, TemplateDeletionJob } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { createCamera } from "./cameras";
import { recordAssessment } from "./records";
import { createSite } from "./sites";
import { assessmentFields, cameraFields, siteFields } from "./validators";

let sequence = 0;
export const unique = (label: string) => `${label}-${Date.now().toString(36)}-${(++sequence).toString(36)}`;

/** Who a test's audit entries name. */
export const TEST_ACTOR = { userId: null, label: "test" };

/**
 * A test organisation. By default its cameras may be at any address, loopback included (see
 * openCameraNetworks), so tests that are not about the network policy can use the simulator on
 * 127.0.0.1; `{ openNetworks: false }` gives one with no camera networks, as a new tenant has.
 */
export async function makeOrganization(db: Database, name = unique("org"), options: { openNetworks?: boolean } = {}) {
  const [org] = await db.insert(schema.organizations).values({ name, slug: name.toLowerCase() }).returning();
  if (!org) throw new Error("insert returned no row");
  if (options.openNetworks ?? true) await openCameraNetworks(db, org.id);
  return org;
}

/** Records the jobs the API starts, for tests that do not run the workers. */
export function recordingJobs() {
  const probed: string[] = [];
  const deletions: TemplateDeletionJob[] = [];
  const enrolments: string[] = [];
  const erasures: string[] = [];
  const invalidations: (Invalidation | MemberInvalidation)[] = [];
  const jobs: JobProducer & {
    probed: string[];
    deletions: TemplateDeletionJob[];
    enrolments: string[];
    erasures: string[];
    invalidations: (Invalidation | MemberInvalidation)[];
  } = {
    probed,
    deletions,
    enrolments,
    erasures,
    invalidations,
    probeCamera: async (cameraId) => {
      probed.push(cameraId);
    },
    deleteTemplates: async (job) => {
      deletions.push(job);
      return `recorded-${deletions.length}`;
    },
    erase: async (requestId) => {
      erasures.push(requestId);
    },
    enrol: async (enrolmentId) => {
      enrolments.push(enrolmentId);
    },
    invalidate: async (change) => {
      invalidations.push(change);
    },
    close: async () => {},
  };
  return jobs;
}

/** A file store in a fresh temporary folder. */
export function temporaryStorage() {
  return createFileStore(mkdtempSync(join(tmpdir(), "consentry-test-store-")));
}

/** A separate, written consent to recognition at a site: what enrolment and galleries require. */
export const recognitionConsent = (subjectId: string, siteId: string) => ({
  subjectId,
  siteId,
  purpose: "entry_verification" as const,
  scopes: ["recognition" as const],
  method: "written" as const,
  isSeparate: true,
  isBundled: false,
  noticeId: null,
  evidenceSha256: null,
  guardianName: null,
  guardianRelation: null,
  givenAt: new Date(),
});

/**
 * A site where face recognition may run (it has its impact assessment), with cameras at the given
 * stream URLs, all made through the real use cases: what the inference workers' tests analyse.
 */
export async function makeAnalysedSite(
  db: Database,
  orgId: string,
  spec: { name: string; cameras: { name: string; rtspUrl: string; frEnabled?: boolean }[] },
) {
  const deps = { db, actor: TEST_ACTOR, orgId, jobs: recordingJobs() };
  const site = await createSite(
    deps,
    siteFields.parse({
      name: spec.name,
      address: "1 Test Road",
      regionCode: "310101",
      kind: "office",
      templateRetentionDays: 365,
    }),
  );
  await recordAssessment(
    deps,
    assessmentFields.parse({
      siteId: site.id,
      scope: "All",
      approver: "DPO",
      documentSha256: "a".repeat(64),
      completedAt: new Date(),
      nextReviewAt: null,
    }),
  );
  const cameraIds: string[] = [];
  for (const camera of spec.cameras) {
    const created = await createCamera(
      deps,
      cameraFields.parse({
        name: camera.name,
        siteId: site.id,
        entryPointId: null,
        locationType: "entrance",
        frEnabled: camera.frEnabled ?? true,
        analysisFps: 2,
        rtspUrl: camera.rtspUrl,
      }),
    );
    cameraIds.push(created.id);
  }
  return { siteId: site.id, cameraIds };
}

/** `count` face templates under one consent, with a fixed embedding sealed as the enrolment job seals it. */
export async function makeTemplates(
  db: Database,
  consent: { orgId: string; subjectId: string; siteId: string; consentId: string },
  count = 2,
) {
  const rows = await db
    .insert(schema.faceTemplates)
    .values(
      Array.from({ length: count }, () => ({
        ...consent,
        modelId: "fr_feature",
        modelVersion: "1",
        embeddingEnc: sealEmbedding(new Float32Array(512).fill(0.04)),
      })),
    )
    .returning({ id: schema.faceTemplates.id });
  return rows.map((row) => row.id);
}
