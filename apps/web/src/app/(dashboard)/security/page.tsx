import { AreaGuard } from "~/server/guard";
import { SsoSettings } from "./sso-settings";
import { TwoFactorPolicy } from "./two-factor-policy";

/** The organisation's sign-in rules, for owners: two-factor for everyone, single sign-on. */
export default function SecurityPage() {
  return (
    <AreaGuard area="organization">
      <div className="space-y-8">
        <TwoFactorPolicy />
        <SsoSettings />
      </div>
    </AreaGuard>
  );
}
