export * from "drizzle-orm";
export * from "./audit";
export * from "./cameras";
export * from "./client";
export * from "./ids";
export * from "./like";
export * as schema from "./schema";
export * from "./users";
