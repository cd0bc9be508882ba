import { AreaGuard } from "~/server/guard";
import { idParam } from "~/server/params";
import { CameraDetail } from "./camera-detail";

export default async function CameraPage({ params }: { params: Promise<{ cameraId: string }> }) {
  const { cameraId } = await params;
  return (
    <AreaGuard area="organization">
      <CameraDetail cameraId={idParam(cameraId)} />
    </AreaGuard>
  );
}
