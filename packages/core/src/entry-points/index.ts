// Use cases of this area, one file per verb.
export * from "./create-entry-point";
export * from "./delete-entry-point";
export * from "./update-entry-point";
