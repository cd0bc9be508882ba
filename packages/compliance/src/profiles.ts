// Jurisdiction profiles: which rules apply, and the deadlines those rules share.
import type { ProfileId } from "./facts";
import { cnCam01 } from "./rules/cn-cam-01";
import { cnCam02 } from "./rules/cn-cam-02";
import { cnDsrSla } from "./rules/cn-dsr-sla";
import { cnFr02 } from "./rules/cn-fr-02";
import { cnFr03 } from "./rules/cn-fr-03";
import { cnFr04 } from "./rules/cn-fr-04";
import { cnFr05 } from "./rules/cn-fr-05";
import { cnFr06 } from "./rules/cn-fr-06";
import { cnFr07 } from "./rules/cn-fr-07";
import { cnFr08 } from "./rules/cn-fr-08";
import { cnFr09 } from "./rules/cn-fr-09";
import { cnFr11 } from "./rules/cn-fr-11";
import { cnFr12 } from "./rules/cn-fr-12";
import { cnFr13 } from "./rules/cn-fr-13";
import { cnFr14, cnFr14AuditChain } from "./rules/cn-fr-14";
import { cnFr15 } from "./rules/cn-fr-15";
import { cnPi03 } from "./rules/cn-pi-03";
import { cnPi06 } from "./rules/cn-pi-06";
import { cnSite01 } from "./rules/cn-site-01";
import { eu09, eu17, eu35, euSla } from "./rules/eu";
import type { Profile } from "./rules/rule";
import { hasWrittenRelease, il15a, il15b } from "./rules/us-il";
import { addCalendarMonths, endOfDay, SHANGHAI, workingDayDeadline } from "./working-days";

const DAY_MS = 86_400_000;

/** China (default): the Measures, PIPL, Decree 799 and the SPC provisions. */
export const CN_PROFILE: Profile = {
  id: "CN",
  name: "China (Measures, PIPL, Decree 799)",
  rules: [
    cnFr02,
    cnFr03,
    cnFr04,
    cnFr05,
    cnFr06,
    cnFr07,
    cnFr08,
    cnFr09,
    cnFr11,
    cnFr12,
    cnFr13,
    cnCam01,
    cnCam02,
    cnFr14,
    cnFr14AuditChain,
    cnFr15,
    cnPi03,
    cnPi06,
    cnDsrSla,
    cnSite01,
  ],
  defaultTimeZone: SHANGHAI,
  // Working days are Chinese calendar days in Shanghai whatever the settings' time zone.
  requestDeadline: (verifiedAt, _request, settings) =>
    workingDayDeadline(verifiedAt, settings.dsrWorkingDays, SHANGHAI),
  erasureDeadline: (withdrawnAt, settings) => workingDayDeadline(withdrawnAt, settings.dsrWorkingDays, SHANGHAI),
  templateHasValidConsent: (site, template) => site.separateConsentFor(template) !== undefined,
};

/** GDPR: one month to answer (Art. 12(3)), three when the requester was told of an extension within the first. */
export const EU_PROFILE: Profile = {
  id: "EU",
  name: "European Union (GDPR)",
  rules: [eu09, euSla, eu17, eu35],
  defaultTimeZone: "Europe/Brussels",
  requestDeadline(verifiedAt, request, settings) {
    const zone = settings.timeZone;
    const oneMonth = endOfDay(addCalendarMonths(verifiedAt, 1, zone), zone);
    const extended = request.extensionNotifiedAt && request.extensionNotifiedAt <= oneMonth;
    return extended ? endOfDay(addCalendarMonths(verifiedAt, 3, zone), zone) : oneMonth;
  },
  erasureDeadline: (withdrawnAt, settings) =>
    endOfDay(addCalendarMonths(withdrawnAt, 1, settings.timeZone), settings.timeZone),
  templateHasValidConsent: (site, template) => site.separateConsentFor(template) !== undefined,
};

/** BIPA sets no period for destruction once the purpose ends; the engine allows this many days. */
export const BIPA_DESTRUCTION_GRACE_DAYS = 30;

/** Illinois BIPA. It grants no access or deletion requests of its own: only a recorded due date applies. */
export const US_IL_PROFILE: Profile = {
  id: "US-IL",
  name: "Illinois (BIPA)",
  rules: [il15a, il15b],
  defaultTimeZone: "America/Chicago",
  requestDeadline: () => null,
  erasureDeadline: (withdrawnAt, settings) =>
    endOfDay(new Date(withdrawnAt.getTime() + BIPA_DESTRUCTION_GRACE_DAYS * DAY_MS), settings.timeZone),
  templateHasValidConsent: (site, template) =>
    hasWrittenRelease(site, template) && !site.pendingDeletion.has(template.id),
};

export const PROFILES: Readonly<Record<ProfileId, Profile>> = {
  CN: CN_PROFILE,
  EU: EU_PROFILE,
  "US-IL": US_IL_PROFILE,
};

/**
 * The version of ../shared/design/COMPLIANCE_RULES.md these rules implement (Measures, CAC/MPS
 * Order No. 19, in force 1 June 2025); printed on reports so a reader knows what was checked.
 * Version 2 (2026-12): CN-FR-12 and CN-CAM-02 corrected, CN-FR-07 and CN-PI-03 cover photos and
 * judge the retention job.
 */
export const RULE_CATALOGUE_VERSION = "version 2 (2026-12; Order No. 19)";
