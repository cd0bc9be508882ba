import { AreaGuard } from "~/server/guard";
import { idParam } from "~/server/params";
import { RequestDetail } from "./request-detail";

export default async function RequestPage({ params }: { params: Promise<{ requestId: string }> }) {
  const { requestId } = await params;
  return (
    <AreaGuard area="organization">
      <RequestDetail requestId={idParam(requestId)} />
    </AreaGuard>
  );
}
