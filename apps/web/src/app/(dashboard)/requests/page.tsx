import { Suspense } from "react";
import { AreaGuard } from "~/server/guard";
import { RequestsView } from "./requests-view";

export default function RequestsPage() {
  return (
    <AreaGuard area="organization">
      {/* The list reads its filters from the URL (useSearchParams). */}
      <Suspense>
        <RequestsView />
      </Suspense>
    </AreaGuard>
  );
}
