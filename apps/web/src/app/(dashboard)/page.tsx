import { redirect } from "next/navigation";
import { NoAccess } from "~/components/no-access";
import { homePath, requirePrincipal } from "~/server/access";

export default async function HomePage() {
  const target = homePath(await requirePrincipal());
  if (target === "/no-access") return <NoAccess />;
  redirect(target);
}
