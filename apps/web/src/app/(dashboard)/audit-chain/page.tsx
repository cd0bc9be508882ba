import { AreaGuard } from "~/server/guard";
import { AuditChainView } from "./audit-chain-view";

export default function AuditChainPage() {
  return (
    <AreaGuard area="admin">
      <AuditChainView />
    </AreaGuard>
  );
}
