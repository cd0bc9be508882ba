import { AreaGuard } from "~/server/guard";
import { idParam } from "~/server/params";
import { SiteCompliance } from "./site-compliance";

export default async function SiteCompliancePage({ params }: { params: Promise<{ siteId: string }> }) {
  const { siteId } = await params;
  return (
    <AreaGuard area="organization">
      <SiteCompliance siteId={idParam(siteId)} />
    </AreaGuard>
  );
}
