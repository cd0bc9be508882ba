export * from "./record-assessment";
