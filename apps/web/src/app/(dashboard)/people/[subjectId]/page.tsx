import { AreaGuard } from "~/server/guard";
import { PersonDetail } from "./person-detail";

export default async function PersonPage({ params }: { params: Promise<{ subjectId: string }> }) {
  const { subjectId } = await params;
  return (
    <AreaGuard area="organization">
      <PersonDetail subjectId={subjectId} />
    </AreaGuard>
  );
}
