/** Organisation roles, strongest first. A role can do everything the roles after it can. */
export const ORG_ROLES = ["owner", "manager", "operator", "auditor"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export function roleAtLeast(role: OrgRole, minimum: OrgRole): boolean {
  return ORG_ROLES.indexOf(role) <= ORG_ROLES.indexOf(minimum);
}

/** Who is calling, resolved once per request from the session. */
export type Principal = {
  userId: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  memberships: { orgId: string; orgName: string; role: OrgRole }[];
  /** Organisations that require two-factor, which this user has not set up: they may not work there yet. */
  twoFactorSetupFor: string[];
  regulator: { id: string; authority: string; jurisdictionCodes: string[] } | null;
};

/**
 * Whether a site's administrative-division code (GB/T 2260, six digits) lies in a
 * jurisdiction: "310000" covers the province, "310100" the city, "310104" the district.
 */
export function regionInJurisdiction(regionCode: string, jurisdictionCode: string): boolean {
  const prefix = jurisdictionCode.replace(/(00)+$/, "");
  return prefix.length > 0 && regionCode.startsWith(prefix);
}
