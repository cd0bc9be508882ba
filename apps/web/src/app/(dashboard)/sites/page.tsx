import { AreaGuard } from "~/server/guard";
import { FirstSteps } from "./first-steps";
import { SitesView } from "./sites-view";

export default function SitesPage() {
  return (
    <AreaGuard area="organization">
      <FirstSteps />
      <SitesView />
    </AreaGuard>
  );
}
