import type { ReactNode } from "react";
import { Shell } from "~/components/shell";
import { activeMembership, requirePrincipal } from "~/server/access";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  const membership = await activeMembership(principal);
  return (
    <Shell principal={principal} activeOrgId={membership?.orgId ?? null}>
      {children}
    </Shell>
  );
}
