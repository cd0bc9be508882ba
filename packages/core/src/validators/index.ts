import { SITE_KINDS } from "@consentry/db/values";
import { z } from "zod";
import { exportSafeText, pageInput, text } from "./common";

export * from "./cameras";
export * from "./common";

// Shared by the forms in apps/web and the procedures: one definition of what is valid.

export { SITE_KINDS };

export const siteFields = z.object({
  name: exportSafeText(2, 120),
  address: text().trim().min(2).max(300),
  /** GB/T 2260 administrative-division code, six digits, e.g. 310104. */
  regionCode: text()
    .trim()
    .regex(/^[1-8]\d{5}$/, { error: "regionCode" }),
  kind: z.enum(SITE_KINDS),
  templateRetentionDays: z.int().min(1).max(3650),
  /** Recognition events keep a snapshot with every other face blurred; off unless the site opts in. */
  eventSnapshots: z.boolean().default(false),
});
export type SiteFields = z.infer<typeof siteFields>;

export const siteListFilter = pageInput.extend({
  search: text().trim().max(120).optional(),
  status: z.enum(["active", "archived", "all"]).default("active"),
});

export const organizationFields = z.object({
  name: exportSafeText(2, 120),
  slug: text()
    .trim()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, { error: "slug" }),
  jurisdictionProfile: z.enum(["CN", "EU", "US-IL"]).default("CN"),
});
export * from "./compliance";
export * from "./consents";
export * from "./requests";
