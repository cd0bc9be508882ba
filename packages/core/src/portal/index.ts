export * from "./access-export";
export * from "./certificate";
export * from "./limits";
export * from "./request-status";
export * from "./services";
export * from "./submit-request";
export * from "./verify-request";
