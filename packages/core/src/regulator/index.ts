export * from "./csv";
export * from "./jurisdiction";
export {
  buildRegulatorReport,
  REPORT_TREND_DAYS,
  type RegulatorViews,
  type ReportLanguage,
  type ReportScope,
  type TrendPoint,
} from "./report";
export { type SiteVideoAccessCounts, siteVideoAccessCounts, VIDEO_ACCESS_WINDOWS } from "./video-access-counts";
