export * from "./erasure";
