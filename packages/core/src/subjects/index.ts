export * from "./create-subject";
export * from "./give-consent";
export * from "./update-subject";
export * from "./withdraw-consent";
