import { Suspense } from "react";
import { AreaGuard } from "~/server/guard";
import { PeopleView } from "./people-view";

export default function PeoplePage() {
  return (
    <AreaGuard area="organization">
      {/* The list reads its "needs a new photo" filter from the URL (useSearchParams). */}
      <Suspense>
        <PeopleView />
      </Suspense>
    </AreaGuard>
  );
}
