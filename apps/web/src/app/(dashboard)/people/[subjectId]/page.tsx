import { AreaGuard } from "~/server/guard";
import { idParam } from "~/server/params";
import { PersonDetail } from "./person-detail";

export default async function PersonPage({
  params,
  searchParams,
}: {
  params: Promise<{ subjectId: string }>;
  searchParams: Promise<{ correction?: string | string[] }>;
}) {
  const { subjectId } = await params;
  const { correction } = await searchParams;
  return (
    <AreaGuard area="organization">
      <PersonDetail
        subjectId={idParam(subjectId)}
        correctionRequestId={typeof correction === "string" ? correction : undefined}
      />
    </AreaGuard>
  );
}
