import { AreaGuard } from "~/server/guard";
import { idParam } from "~/server/params";
import { RegulatorSite } from "./regulator-site";

export default async function RegulatorSitePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  return (
    <AreaGuard area="regulator">
      <RegulatorSite siteId={idParam(siteId)} />
    </AreaGuard>
  );
}
