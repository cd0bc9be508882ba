export * from "./create-subject";
export * from "./give-consent";
export * from "./withdraw-consent";
