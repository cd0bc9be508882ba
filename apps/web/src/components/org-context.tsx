"use client";

import type { OrgRole } from "@consentry/auth/roles";
import { createContext, type ReactNode, useContext } from "react";

type ActiveOrg = { orgId: string; orgName: string; role: OrgRole } | null;
const OrgContext = createContext<ActiveOrg>(null);

export function OrgProvider({ value, children }: { value: ActiveOrg; children: ReactNode }) {
  return <OrgContext.Provider value={value}>{children}</OrgContext.Provider>;
}

/** The organisation the dashboard is showing; pages under it are only rendered for members. */
export function useActiveOrg() {
  const org = useContext(OrgContext);
  if (!org) throw new Error("useActiveOrg outside an organisation page");
  return org;
}
