// CN-SITE-01: a site's region code decides which regulator oversees it, so a move between regions
// is reported for a while after it happens. The move itself is lawful (info, no score cost); what
// matters is that neither regulator misses it.
import type { RegionChangeFacts } from "../facts";
import type { Finding, Target } from "../findings";
import { calendarDayKey } from "../working-days";
import type { SiteRule } from "./rule";
import { siteTarget } from "./targets";

/** How long after a move the site carries the finding. */
export const REGION_CHANGE_NOTICE_DAYS = 90;
const DAY_MS = 86_400_000;

/** The finding for one move; regulators' lists of moves show the same one. */
export function regionChangeFinding(target: Target, change: RegionChangeFacts): Finding {
  const date = calendarDayKey(change.at);
  return {
    ruleId: "CN-SITE-01",
    code: "CN-SITE-01.regionChanged",
    params: { fromRegion: change.fromRegion, toRegion: change.toRegion, date },
    severity: "info",
    target,
    message: `The site moved from region ${change.fromRegion} to region ${change.toRegion} on ${date}.`,
    remediation:
      "Expect questions from the regulators of both regions; keep the reason for the move and the site's records ready.",
  };
}

export const cnSite01: SiteRule = {
  id: "CN-SITE-01",
  scope: "site",
  title: "A move to another region is shown to both regulators",
  check: (site, { now }) =>
    (site.facts.site.regionChanges ?? [])
      .filter((change) => change.at <= now && now.getTime() - change.at.getTime() <= REGION_CHANGE_NOTICE_DAYS * DAY_MS)
      .map((change) => regionChangeFinding(siteTarget(site.facts.site), change)),
};
