import { AreaGuard } from "~/server/guard";
import { HomeView } from "./home-view";

/** An organisation member's landing page: what needs attention today (issue #17.1). */
export default function HomePage() {
  return (
    <AreaGuard area="organization">
      <HomeView />
    </AreaGuard>
  );
}
