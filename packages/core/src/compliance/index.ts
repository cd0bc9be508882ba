export * from "./facts";
export * from "./snapshots";
