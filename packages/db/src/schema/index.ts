export * from "./audit";
export * from "./auth";
export * from "./compliance";
export * from "./enums";
export * from "./organizations";
export * from "./sites";
export * from "./subjects";
