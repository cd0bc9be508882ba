export * from "./delete-assessment";
export * from "./filing-status";
export * from "./publish-notice";
export * from "./record-assessment";
export * from "./record-filing";
