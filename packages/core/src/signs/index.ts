// Use cases of this area, one file per verb.
export * from "./attach-evidence";
export * from "./coverage";
export * from "./create-sign";
export * from "./delete-sign";
export * from "./find-sign";
export * from "./list-signs";
export * from "./sign-evidence";
export * from "./update-sign";
export * from "./verify-sign";
