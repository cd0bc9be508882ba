import { AreaGuard } from "~/server/guard";
import { NotificationsView } from "./notifications-view";

/** A member's notifications in their organisation (issue #17.2). */
export default function NotificationsPage() {
  return (
    <AreaGuard area="organization">
      <NotificationsView />
    </AreaGuard>
  );
}
