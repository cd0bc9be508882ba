import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root";

export { type DatabaseFailure, databaseFailure, hideInternal, InternalFailure, internalMessage } from "./errors";
export { type AppRouter, appRouter, createCaller } from "./root";
export { type Context, createContext, toTRPCError, unknownLeases } from "./trpc";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
