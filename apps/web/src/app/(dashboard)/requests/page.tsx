import { AreaGuard } from "~/server/guard";
import { RequestsView } from "./requests-view";

export default function RequestsPage() {
  return (
    <AreaGuard area="organization">
      <RequestsView />
    </AreaGuard>
  );
}
