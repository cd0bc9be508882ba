// CN-FR-07: keep face data only as long as the purpose needs (Measures Art. 8; PIPL 19, 47).
// The retention job deletes it when due; this rule reports where it has not (catalogue v2).

import { retentionFindings } from "./retention";
import type { SiteRule } from "./rule";

export const cnFr07: SiteRule = {
  id: "CN-FR-07",
  scope: "site",
  title: "Face data is deleted when its retention ends",
  check: (site, { now }) =>
    retentionFindings(site, now, {
      ruleId: "CN-FR-07",
      kinds: [
        { kind: "templates", code: "CN-FR-07.templatesOverdue", noun: "Face templates" },
        { kind: "enrolment_photos", code: "CN-FR-07.photosOverdue", noun: "Enrolment photos" },
        { kind: "recognition_events", code: "CN-FR-07.eventsOverdue", noun: "Recognition events" },
      ],
    }),
};
