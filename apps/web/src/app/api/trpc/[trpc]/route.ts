import { appRouter, createContext } from "@consentry/api";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { logger } from "~/server/logger";
import { portalServices } from "~/server/portal";
import { principalFromHeaders } from "~/server/principal";
import { db, jobs, leases } from "~/server/services";
import { storage } from "~/server/storage";
import { MAX_BATCH_SIZE } from "~/trpc/limits";

function handler(request: Request) {
  const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: async () =>
      createContext({
        db,
        jobs,
        leases,
        storage,
        portal: portalServices(request.headers),
        principal: await principalFromHeaders(request.headers),
        requestId,
      }),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        // The input is never logged: it may hold personal data.
        logger.error({ requestId, path, err: error.cause ?? error }, "tRPC procedure failed");
      }
    },
  });
}

export { handler as GET, handler as POST };
