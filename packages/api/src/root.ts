import { adminRouter } from "./router/admin";
import { auditRouter } from "./router/audit";
import { camerasRouter } from "./router/cameras";
import { regulatorRouter } from "./router/regulator";
import { requestsRouter } from "./router/requests";
import { sitesRouter } from "./router/sites";
import { viewerRouter } from "./router/viewer";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  viewer: viewerRouter,
  sites: sitesRouter,
  cameras: camerasRouter,
  requests: requestsRouter,
  audit: auditRouter,
  regulator: regulatorRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
