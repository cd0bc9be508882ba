import { AreaGuard } from "~/server/guard";
import { CameraNetworksView } from "./camera-networks-view";

export default function CameraNetworksPage() {
  return (
    <AreaGuard area="organization">
      <CameraNetworksView />
    </AreaGuard>
  );
}
