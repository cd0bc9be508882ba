// Use cases of this area, one file per verb.
export * from "./create-organization";
