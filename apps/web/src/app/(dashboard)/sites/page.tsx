import { AreaGuard } from "~/server/guard";
import { SitesView } from "./sites-view";

export default function SitesPage() {
  return (
    <AreaGuard area="organization">
      <SitesView />
    </AreaGuard>
  );
}
