export * from "./evaluate";
export * from "./facts";
export * from "./snapshots";
