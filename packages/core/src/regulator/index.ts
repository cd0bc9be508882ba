export * from "./csv";
export * from "./jurisdiction";
export { buildRegulatorReport, type RegulatorViews, type ReportScope } from "./report";
