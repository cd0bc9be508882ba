import { AreaGuard } from "~/server/guard";
import { ImportView } from "./import-view";

export default function ImportCamerasPage() {
  return (
    <AreaGuard area="organization">
      <ImportView />
    </AreaGuard>
  );
}
