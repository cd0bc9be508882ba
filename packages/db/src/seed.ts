import { createHash } from "node:crypto";
import { requestDueAt } from "@consentry/compliance";
import { encryptString, keyIdOf } from "@consentry/crypto";
import { env } from "@consentry/env";
import { eq } from "drizzle-orm";
import { writeAudit } from "./audit";
import type { Database, Executor } from "./client";
import { newSiteCode } from "./ids";
import * as s from "./schema";
import { createUserWithPassword } from "./users";

/** Demo accounts printed by `npm run demo`; never created outside the demo seed. */
export const DEMO_PASSWORD = "consentry-demo-2026";
export const DEMO_LOGINS = [
  { role: "manager (Huangpu Property)", email: "manager@huangpu.demo" },
  { role: "operator (Huangpu Property)", email: "operator@huangpu.demo" },
  { role: "owner (Huangpu Property)", email: "owner@huangpu.demo" },
  { role: "auditor (Huangpu Property)", email: "auditor@huangpu.demo" },
  { role: "manager (West Lake Hospitality)", email: "manager@westlake.demo" },
  { role: "regulator (Shanghai CAC)", email: "regulator@sh-cac.demo" },
  { role: "platform admin", email: "admin@consentry.demo" },
] as const;

const SEED_ACTOR = { userId: null, label: "system:seed" };
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
/** How many simulated cameras the demo seed points at (rtsp://127.0.0.1:<CAMERA_SIM_PORT>/camN). */
export const DEMO_CAMERA_COUNT = 30;

/**
 * The one person the demo enrols from a real photo (packages/fixtures) through the real
 * enrolment job: a resident with a separate consent to recognition at Bund Garden, whose
 * cameras play a clip with him in it. Everyone else in the clip is an unknown face.
 */
export const DEMO_RECOGNISED_PERSON = {
  orgSlug: "huangpu-property",
  siteName: "Bund Garden Residences 外滩花园",
  pseudonym: "P-10100",
  name: "Lin-Manuel Miranda",
  contact: "lin.resident@example.com",
  photo: "lin-manuel-miranda.png",
} as const;

type SiteSpec = {
  name: string;
  address: string;
  regionCode: string;
  kind: (typeof s.siteKind.enumValues)[number];
  entryPoints: {
    name: string;
    purpose: (typeof s.entryPurpose.enumValues)[number];
    faceRecognition: boolean;
    alternatives: (typeof s.alternativeMethod.enumValues)[number][];
    necessityNote?: string;
  }[];
  cameras: {
    name: string;
    locationType: (typeof s.cameraLocationType.enumValues)[number];
    fr: boolean;
    entry?: number;
  }[];
};

const ORGS: { name: string; slug: string; sites: SiteSpec[] }[] = [
  {
    name: "Huangpu Property Management 黄浦物业管理",
    slug: "huangpu-property",
    sites: [
      {
        name: "Bund Garden Residences 外滩花园",
        address: "88 Zhongshan East 1st Road, Huangpu, Shanghai",
        regionCode: "310101",
        kind: "residential",
        entryPoints: [
          {
            name: "North gate 北门",
            purpose: "entry_verification",
            faceRecognition: true,
            alternatives: ["key_card", "qr"],
            necessityNote: "Residents-only access; tailgating incidents in 2025.",
          },
          { name: "Garage ramp 车库", purpose: "entry_verification", faceRecognition: true, alternatives: [] },
          { name: "Lobby desk 大堂", purpose: "monitoring", faceRecognition: false, alternatives: ["staff_check"] },
        ],
        cameras: [
          { name: "North gate inbound", locationType: "entrance", fr: true, entry: 0 },
          { name: "North gate outbound", locationType: "entrance", fr: false, entry: 0 },
          { name: "Garage ramp", locationType: "parking", fr: true, entry: 1 },
          { name: "Garage level B1", locationType: "parking", fr: false },
          { name: "Lobby overview", locationType: "lobby", fr: false, entry: 2 },
          { name: "Elevator A", locationType: "elevator", fr: false },
          { name: "Elevator B", locationType: "elevator", fr: false },
          { name: "East perimeter", locationType: "perimeter", fr: false },
        ],
      },
      {
        name: "Pudong Innovation Tower 浦东创新大厦",
        address: "1000 Century Avenue, Pudong, Shanghai",
        regionCode: "310115",
        kind: "office",
        entryPoints: [
          {
            name: "Turnstiles 闸机",
            purpose: "entry_verification",
            faceRecognition: true,
            alternatives: ["key_card", "qr", "staff_check"],
            necessityNote: "Tenant access control for 40 floors.",
          },
          { name: "Visitor desk 访客台", purpose: "check_in", faceRecognition: false, alternatives: ["id_document"] },
        ],
        cameras: [
          { name: "Turnstile 1", locationType: "entrance", fr: true, entry: 0 },
          { name: "Turnstile 2", locationType: "entrance", fr: false, entry: 0 },
          { name: "Turnstile 3", locationType: "entrance", fr: false, entry: 0 },
          { name: "Visitor desk", locationType: "reception", fr: false, entry: 1 },
          { name: "Lobby west", locationType: "lobby", fr: false },
          { name: "Corridor 12F", locationType: "corridor", fr: false },
          { name: "Loading dock", locationType: "perimeter", fr: false },
        ],
      },
      {
        name: "Xintiandi Plaza Mall 新天地广场",
        address: "123 Madang Road, Huangpu, Shanghai",
        regionCode: "310101",
        kind: "retail",
        entryPoints: [
          {
            name: "Members lounge 会员室",
            purpose: "payment",
            faceRecognition: true,
            alternatives: ["qr"],
            necessityNote: "Optional face payment for members.",
          },
        ],
        cameras: [
          { name: "Atrium", locationType: "public_area", fr: false },
          { name: "Members lounge", locationType: "checkout", fr: true, entry: 0 },
          { name: "Parking P2", locationType: "parking", fr: false },
          { name: "South entrance", locationType: "entrance", fr: false },
        ],
      },
    ],
  },
  {
    name: "West Lake Hospitality Group 西湖酒店集团",
    slug: "westlake-hospitality",
    sites: [
      {
        name: "West Lake Lakeside Hotel 西湖湖滨酒店",
        address: "2 Hubin Road, Xihu, Hangzhou",
        regionCode: "330106",
        kind: "hotel",
        entryPoints: [
          {
            name: "Front desk check-in 前台入住",
            purpose: "check_in",
            faceRecognition: true,
            alternatives: ["id_document", "staff_check"],
            necessityNote: "Guest identity check required by hotel registration rules.",
          },
          {
            name: "Staff entrance 员工通道",
            purpose: "entry_verification",
            faceRecognition: true,
            alternatives: ["key_card"],
          },
        ],
        cameras: [
          { name: "Front desk 1", locationType: "reception", fr: true, entry: 0 },
          { name: "Front desk 2", locationType: "reception", fr: false, entry: 0 },
          { name: "Staff entrance", locationType: "entrance", fr: false, entry: 1 },
          { name: "Lobby", locationType: "lobby", fr: false },
          { name: "Pool corridor", locationType: "corridor", fr: false },
          { name: "Car park", locationType: "parking", fr: false },
        ],
      },
      {
        name: "Jing'an Business Hotel 静安商务酒店",
        address: "500 Nanjing West Road, Jing'an, Shanghai",
        regionCode: "310106",
        kind: "hotel",
        entryPoints: [
          { name: "Self check-in kiosk 自助入住", purpose: "check_in", faceRecognition: true, alternatives: [] },
        ],
        cameras: [
          { name: "Kiosk", locationType: "reception", fr: false, entry: 0 },
          { name: "Lobby", locationType: "lobby", fr: false },
          { name: "Elevator hall", locationType: "elevator", fr: false },
          { name: "Side entrance", locationType: "entrance", fr: false },
          { name: "Back office corridor", locationType: "corridor", fr: false },
        ],
      },
    ],
  },
];

/**
 * Cameras the demo's inference worker must take at once: every seeded camera with face
 * recognition on, plus one for a camera that a visitor adds.
 */
export const DEMO_INFERENCE_CAPACITY =
  ORGS.flatMap((org) => org.sites.flatMap((site) => site.cameras)).filter((camera) => camera.fr).length + 1;

const PEOPLE = [
  { name: "张伟", contact: "zhang.wei@example.cn", minor: false },
  { name: "王芳", contact: "wang.fang@example.cn", minor: false },
  { name: "李娜", contact: "13800138001", minor: false },
  { name: "刘洋", contact: "liu.yang@example.cn", minor: false },
  { name: "陈晨", contact: "guardian.chen@example.cn", minor: true },
  { name: "Emily Carter", contact: "emily.carter@example.com", minor: false },
];

async function createUser(db: Database, email: string, name: string) {
  return createUserWithPassword(db, { email, name, password: DEMO_PASSWORD });
}

/**
 * Builds the demo world. Idempotent: a database that already has it is left alone. Cameras
 * point at the camera simulator on `cameraSimPort`. Nobody has a face template yet: the demo
 * enrols DEMO_RECOGNISED_PERSON through the enrolment job (`@consentry/api/demo`).
 */
export async function seedDemo(
  db: Database,
  { cameraSimPort = env.CAMERA_SIM_PORT }: { cameraSimPort?: number } = {},
): Promise<{ created: boolean }> {
  const [existing] = await db.select().from(s.organizations).where(eq(s.organizations.slug, "huangpu-property"));
  if (existing) return { created: false };

  const userIds = new Map<string, string>();
  for (const { email, role } of DEMO_LOGINS) userIds.set(email, await createUser(db, email, role));
  const user = (email: string) => userIds.get(email) as string;
  await db.insert(s.platformAdmins).values({ userId: user("admin@consentry.demo") });
  // The simulator is on loopback, which the network policy refuses by default: the installation
  // allows 127.0.0.1 on the simulator's port only, and each organisation lists just that.
  const simulator = { cidr: "127.0.0.1/32", portFrom: cameraSimPort, portTo: cameraSimPort };
  await db.insert(s.installationNetworkExceptions).values({
    ...simulator,
    reason: "Demo camera simulator",
    createdBy: user("admin@consentry.demo"),
  });
  await db.insert(s.regulators).values({
    userId: user("regulator@sh-cac.demo"),
    authority: "Shanghai Cyberspace Administration 上海市网信办",
    jurisdictionCodes: ["310000"],
  });

  let cameraNumber = 0;
  for (const [orgIndex, spec] of ORGS.entries()) {
    await db.transaction(async (tx) => {
      const [org] = await tx.insert(s.organizations).values({ name: spec.name, slug: spec.slug }).returning();
      if (!org) throw new Error("organisation insert returned nothing");
      await tx.insert(s.cameraNetworks).values({ ...simulator, orgId: org.id, note: "Camera simulator" });
      const members: [string, (typeof s.membershipRole.enumValues)[number]][] =
        orgIndex === 0
          ? [
              ["manager@huangpu.demo", "manager"],
              ["operator@huangpu.demo", "operator"],
              ["owner@huangpu.demo", "owner"],
              ["auditor@huangpu.demo", "auditor"],
            ]
          : [["manager@westlake.demo", "manager"]];
      await tx
        .insert(s.memberships)
        .values(members.map(([email, role]) => ({ orgId: org.id, userId: user(email), role })));

      const subjectIds: string[] = [];
      for (const [i, person] of PEOPLE.entries()) {
        const [subject] = await tx
          .insert(s.subjects)
          .values({
            orgId: org.id,
            pseudonym: `P-${orgIndex + 1}${String(i + 1).padStart(4, "0")}`,
            displayNameEnc: encryptString(person.name, "subjects.display_name"),
            contactEnc: encryptString(person.contact, "subjects.contact"),
            isMinor: person.minor,
            birthYear: person.minor ? 2015 : 1985 + i,
          })
          .returning({ id: s.subjects.id });
        subjectIds.push(subject?.id as string);
      }

      for (const [siteIndex, siteSpec] of spec.sites.entries()) {
        const [site] = await tx
          .insert(s.sites)
          .values({
            orgId: org.id,
            code: newSiteCode(),
            name: siteSpec.name,
            address: siteSpec.address,
            regionCode: siteSpec.regionCode,
            kind: siteSpec.kind,
          })
          .returning();
        if (!site) throw new Error("site insert returned nothing");
        const entryIds: string[] = [];
        for (const entry of siteSpec.entryPoints) {
          const [row] = await tx
            .insert(s.entryPoints)
            .values({ ...entry, orgId: org.id, siteId: site.id })
            .returning({ id: s.entryPoints.id });
          entryIds.push(row?.id as string);
        }
        const cameraIds: string[] = [];
        for (const camera of siteSpec.cameras) {
          cameraNumber++;
          // No rtsp_url_fingerprint, like cameras from before migration 0007: the e2e specs
          // register the simulator's streams again through the app.
          const url = `rtsp://127.0.0.1:${cameraSimPort}/cam${cameraNumber}`;
          const [row] = await tx
            .insert(s.cameras)
            .values({
              orgId: org.id,
              siteId: site.id,
              entryPointId: camera.entry === undefined ? null : entryIds[camera.entry],
              name: camera.name,
              ...sealedUrl(url),
              rtspUrlMasked: url,
              locationType: camera.locationType,
              frEnabled: camera.fr,
              analysisFps: camera.fr ? 5 : 1,
            })
            .returning({ id: s.cameras.id });
          cameraIds.push(row?.id as string);
        }
        // Every site but the last of each organisation has a verified sign over its first cameras.
        if (siteIndex < spec.sites.length - 1) {
          const [sign] = await tx
            .insert(s.signs)
            .values({
              orgId: org.id,
              siteId: site.id,
              location: "Main entrance, eye level",
              text: "本区域使用人脸识别技术，用于门禁核验。不同意者可使用门禁卡或二维码。 Face recognition in use for entry; key card or QR available instead.",
              languages: ["zh-CN", "en"],
              installedAt: daysAgo(200),
              verifiedAt: daysAgo(siteIndex === 0 ? 20 : 120),
            })
            .returning({ id: s.signs.id });
          await tx
            .insert(s.signCameras)
            .values(cameraIds.slice(0, 3).map((cameraId) => ({ signId: sign?.id as string, cameraId })));
        }
        const [notice] = await tx
          .insert(s.notices)
          .values({
            orgId: org.id,
            siteId: site.id,
            version: 1,
            controller: spec.name,
            purpose: "Entry verification for residents, tenants and guests who choose face recognition.",
            method: "Face images are compared with templates of people who consented; other faces are not stored.",
            retention: "Templates are deleted 365 days after last use or on request.",
            rights: "You may refuse, withdraw, access or delete your data at any time via the portal.",
            contact: `privacy@${spec.slug}.example.cn`,
          })
          .returning({ id: s.notices.id });
        if (siteIndex === 0) {
          await tx.insert(s.assessments).values({
            orgId: org.id,
            siteId: site.id,
            scope: "All face-recognition entry points of the site",
            approver: "Data protection officer",
            documentSha256: sha256(`${site.id}-pipia-v1`),
            completedAt: daysAgo(300),
            nextReviewAt: daysAgo(-65),
          });
          // Consents: active adults, a minor with a guardian, one withdrawn.
          for (const [i, subjectId] of subjectIds.entries()) {
            const person = PEOPLE[i] as (typeof PEOPLE)[number];
            const withdrawn = i === 3;
            await tx.insert(s.consents).values({
              orgId: org.id,
              subjectId,
              siteId: site.id,
              purpose: "entry_verification",
              scopes: ["recognition", "central_storage"],
              method: i % 2 === 0 ? "written" : "electronic",
              noticeId: notice?.id,
              evidenceSha256: sha256(`consent-${subjectId}`),
              guardianNameEnc: person.minor ? encryptString("陈建国", "consents.guardian_name") : null,
              guardianRelation: person.minor ? "father" : null,
              guardianConsentAt: person.minor ? daysAgo(90) : null,
              givenAt: daysAgo(90 - i),
              withdrawnAt: withdrawn ? daysAgo(2) : null,
              withdrawalReason: withdrawn ? "Moved out" : null,
            });
          }
          if (spec.slug === DEMO_RECOGNISED_PERSON.orgSlug) await seedRecognisedPerson(tx, org.id, site.id, notice?.id);
          const requests = [
            // Due 15 Chinese working days after verification, as the portal sets it: the one filed
            // 25 days ago is overdue, the others are not.
            { type: "deletion" as const, status: "open" as const, submitted: 3 },
            { type: "access" as const, status: "in_progress" as const, submitted: 10 },
            { type: "access" as const, status: "completed" as const, submitted: 30 },
            { type: "deletion" as const, status: "open" as const, submitted: 25 },
          ];
          for (const [i, request] of requests.entries()) {
            const contact = PEOPLE[i]?.contact as string;
            // As the portal stores it (core/portal/submit-request.ts): staff reveal and match it.
            const email = contact.includes("@") ? contact : null;
            const stored = { email, phone: email ? null : contact, reference: null, details: null };
            await tx.insert(s.dsrRequests).values({
              orgId: org.id,
              siteId: site.id,
              subjectId: subjectIds[i],
              type: request.type,
              referenceCode: `R-${orgIndex + 1}${siteIndex}${i}${newSiteCode().slice(2)}`,
              contactEnc: encryptString(JSON.stringify(stored), "dsr_requests.contact"),
              contactHash: sha256(contact),
              submittedAt: daysAgo(request.submitted),
              verifiedAt: daysAgo(request.submitted),
              dueAt: requestDueAt("CN", daysAgo(request.submitted)),
              status: request.status,
              closedAt: request.status === "completed" ? daysAgo(8) : null,
              outcome: request.status === "completed" ? "A copy of the person's record was sent." : null,
            });
          }
        }
      }
      await writeAudit(tx, {
        actor: SEED_ACTOR,
        orgId: org.id,
        action: "seed.demo",
        targetType: "organization",
        targetId: org.id,
        details: { sites: spec.sites.length },
      });
    });
  }
  return { created: true };
}

function sealedUrl(url: string) {
  const rtspUrlEnc = encryptString(url, "cameras.rtsp_url");
  return { rtspUrlEnc, rtspKeyId: keyIdOf(rtspUrlEnc) ?? null };
}

/** DEMO_RECOGNISED_PERSON with a separate, written consent to recognition at the site (CN-FR-04). */
async function seedRecognisedPerson(tx: Executor, orgId: string, siteId: string, noticeId: string | undefined) {
  const person = DEMO_RECOGNISED_PERSON;
  const [subject] = await tx
    .insert(s.subjects)
    .values({
      orgId,
      pseudonym: person.pseudonym,
      displayNameEnc: encryptString(person.name, "subjects.display_name"),
      contactEnc: encryptString(person.contact, "subjects.contact"),
      isMinor: false,
      birthYear: 1980,
    })
    .returning({ id: s.subjects.id });
  await tx.insert(s.consents).values({
    orgId,
    subjectId: subject?.id as string,
    siteId,
    purpose: "entry_verification",
    scopes: ["recognition"],
    method: "written",
    isSeparate: true,
    isBundled: false,
    noticeId,
    evidenceSha256: sha256(`consent-${subject?.id}`),
    givenAt: daysAgo(14),
  });
}
