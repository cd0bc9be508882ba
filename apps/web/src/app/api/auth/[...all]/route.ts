import { requireClientAddress } from "@consentry/auth/client-address";
import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "~/server/services";

const handlers = toNextJsHandler(auth);

// Better Auth would count requests without a client address in one shared bucket: refuse them.
export const GET = requireClientAddress(handlers.GET);
export const POST = requireClientAddress(handlers.POST);
