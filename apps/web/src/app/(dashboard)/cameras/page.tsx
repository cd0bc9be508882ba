import { AreaGuard } from "~/server/guard";
import { CamerasView } from "./cameras-view";

export default function CamerasPage() {
  return (
    <AreaGuard area="organization">
      <CamerasView />
    </AreaGuard>
  );
}
