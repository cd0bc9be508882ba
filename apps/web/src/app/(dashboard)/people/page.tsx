import { AreaGuard } from "~/server/guard";
import { PeopleView } from "./people-view";

export default function PeoplePage() {
  return (
    <AreaGuard area="organization">
      <PeopleView />
    </AreaGuard>
  );
}
