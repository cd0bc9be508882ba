import { AreaGuard } from "~/server/guard";
import { idParam } from "~/server/params";
import { SiteDetail } from "./site-detail";

export default async function SitePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  return (
    <AreaGuard area="organization">
      <SiteDetail siteId={idParam(siteId)} />
    </AreaGuard>
  );
}
