import { AreaGuard } from "~/server/guard";
import { SiteDetail } from "./site-detail";

export default async function SitePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  return (
    <AreaGuard area="organization">
      <SiteDetail siteId={siteId} />
    </AreaGuard>
  );
}
