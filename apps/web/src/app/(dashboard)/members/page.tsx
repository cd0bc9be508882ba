import { roleAtLeast } from "@consentry/auth";
import { NoAccess } from "~/components/no-access";
import { activeMembership, requirePrincipal } from "~/server/access";
import { MembersView } from "./members-view";

/** Owners manage members; managers see the page read-only; operators and auditors are refused. */
export default async function MembersPage() {
  const membership = await activeMembership(await requirePrincipal());
  if (!membership || !roleAtLeast(membership.role, "manager")) return <NoAccess />;
  return <MembersView />;
}
