export * from "./csv";
export * from "./jurisdiction";
export { buildRegulatorReport, type RegulatorViews, type ReportScope } from "./report";
export { type SiteVideoAccessCounts, siteVideoAccessCounts, VIDEO_ACCESS_WINDOWS } from "./video-access-counts";
