import { AreaGuard } from "~/server/guard";
import { PreferencesView } from "./preferences-view";

/** What a member wants to hear of, in the bell and by mail (issue #17.2). */
export default function NotificationPreferencesPage() {
  return (
    <AreaGuard area="organization">
      <PreferencesView />
    </AreaGuard>
  );
}
