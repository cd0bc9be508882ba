"use client";

import { authClient } from "@consentry/auth/client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { TwoFactorSetup } from "~/app/(dashboard)/profile/two-factor-setup";
import { Button } from "~/components/ui";

/** The set-up, then on to the page first asked for; or sign out instead. */
export function RequiredSetup({ next }: { next: string }) {
  const t = useTranslations("twoFactor");
  const router = useRouter();
  return (
    <div className="space-y-6">
      <TwoFactorSetup
        doneLabel={t("continue")}
        onDone={() => {
          router.replace(next);
          router.refresh();
        }}
      />
      <div className="border-t border-slate-200 pt-4 text-right">
        <Button
          variant="ghost"
          onClick={async () => {
            await authClient.signOut();
            router.replace("/sign-in");
            router.refresh();
          }}
        >
          {t("signOutInstead")}
        </Button>
      </div>
    </div>
  );
}
