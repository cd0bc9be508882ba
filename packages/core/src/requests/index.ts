export * from "./approve-request";
export * from "./find-open-request";
export * from "./get-request";
export * from "./link-subject";
export * from "./person-candidates";
export * from "./refuse-request";
export * from "./show-contact";
export * from "./take-request";
