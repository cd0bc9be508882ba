export { buildRegulatorReport, type ReportScope } from "./report";
