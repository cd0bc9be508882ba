import { AreaGuard } from "~/server/guard";
import { NetworkExceptionsView } from "./network-exceptions-view";

export default function NetworkExceptionsPage() {
  return (
    <AreaGuard area="admin">
      <NetworkExceptionsView />
    </AreaGuard>
  );
}
