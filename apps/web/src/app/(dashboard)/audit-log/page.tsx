import { AreaGuard } from "~/server/guard";
import { AuditLogView } from "./audit-log-view";

export default function AuditLogPage() {
  return (
    <AreaGuard area="organization">
      <AuditLogView />
    </AreaGuard>
  );
}
