import { AreaGuard } from "~/server/guard";
import { RegulatorConsole } from "./regulator-console";

export default function RegulatorPage() {
  return (
    <AreaGuard area="regulator">
      <RegulatorConsole />
    </AreaGuard>
  );
}
