import { AreaGuard } from "~/server/guard";
import { RegulatorSite } from "./regulator-site";

export default async function RegulatorSitePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  return (
    <AreaGuard area="regulator">
      <RegulatorSite siteId={siteId} />
    </AreaGuard>
  );
}
