import "server-only";
import type { ReactNode } from "react";
import { NoAccess } from "~/components/no-access";
import { type Area, canOpen, requirePrincipal } from "./access";

/** Renders the page only for users who may open its area; everyone else sees "No access". */
export async function AreaGuard({ area, children }: { area: Area; children: ReactNode }) {
  const principal = await requirePrincipal();
  return canOpen(principal, area) ? children : <NoAccess />;
}
