import { AreaGuard } from "~/server/guard";
import { ComplianceView } from "./compliance-view";

export default function CompliancePage() {
  return (
    <AreaGuard area="organization">
      <ComplianceView />
    </AreaGuard>
  );
}
