import { adminRouter } from "./router/admin";
import { attentionRouter } from "./router/attention";
import { auditRouter } from "./router/audit";
import { auditLogRouter } from "./router/audit-log";
import { cameraNetworksRouter } from "./router/camera-networks";
import { camerasRouter } from "./router/cameras";
import { complianceRouter } from "./router/compliance";
import { enrolmentsRouter } from "./router/enrolments";
import { entryPointsRouter } from "./router/entry-points";
import { membersRouter } from "./router/members";
import { notificationsRouter } from "./router/notifications";
import { portalRouter } from "./router/portal";
import { profileRouter } from "./router/profile";
import { recognitionRouter } from "./router/recognition";
import { assessmentsRouter, filingsRouter, noticesRouter } from "./router/records";
import { regulatorRouter } from "./router/regulator";
import { requestsRouter } from "./router/requests";
import { retentionRouter } from "./router/retention";
import { securityRouter } from "./router/security";
import { signsRouter } from "./router/signs";
import { sitesRouter } from "./router/sites";
import { ssoRouter } from "./router/sso";
import { subjectsRouter } from "./router/subjects";
import { videoAccessRouter } from "./router/video-access";
import { viewerRouter } from "./router/viewer";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  viewer: viewerRouter,
  attention: attentionRouter,
  sites: sitesRouter,
  cameras: camerasRouter,
  cameraNetworks: cameraNetworksRouter,
  compliance: complianceRouter,
  entryPoints: entryPointsRouter,
  signs: signsRouter,
  subjects: subjectsRouter,
  enrolments: enrolmentsRouter,
  recognition: recognitionRouter,
  notices: noticesRouter,
  assessments: assessmentsRouter,
  filings: filingsRouter,
  requests: requestsRouter,
  retention: retentionRouter,
  portal: portalRouter,
  audit: auditRouter,
  auditLog: auditLogRouter,
  regulator: regulatorRouter,
  admin: adminRouter,
  members: membersRouter,
  notifications: notificationsRouter,
  profile: profileRouter,
  security: securityRouter,
  sso: ssoRouter,
  videoAccess: videoAccessRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
