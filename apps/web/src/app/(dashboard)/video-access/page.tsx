import { AreaGuard } from "~/server/guard";
import { VideoAccessView } from "./video-access-view";

export default function VideoAccessPage() {
  return (
    <AreaGuard area="organization">
      <VideoAccessView />
    </AreaGuard>
  );
}
