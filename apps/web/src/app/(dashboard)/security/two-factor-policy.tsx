"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { LoadFailed } from "~/components/load-failed";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/** Owners require two-factor for every member of the organisation (issue #16.4). */
export function TwoFactorPolicy() {
  const t = useTranslations("twoFactor.policy");
  const org = useActiveOrg();
  return (
    <Card>
      <div className="space-y-4 p-5">
        <div>
          <h2 className="text-base font-semibold">{t("title")}</h2>
          <p className="text-sm text-slate-600">{t("subtitle")}</p>
        </div>
        {org.role === "owner" ? (
          <PolicyForm orgId={org.orgId} />
        ) : (
          <p className="text-sm text-slate-500">{t("ownersOnly")}</p>
        )}
      </div>
    </Card>
  );
}

function PolicyForm({ orgId }: { orgId: string }) {
  const t = useTranslations("twoFactor.policy");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.security.twoFactorPolicy.queryOptions({ orgId }));
  const [confirming, setConfirming] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(
    trpc.security.setTwoFactorRequired.mutationOptions({
      onSuccess: async () => {
        setConfirming(null);
        await queryClient.invalidateQueries(trpc.security.twoFactorPolicy.pathFilter());
      },
      onError: (failure) =>
        setError(
          failure.data?.code === "PRECONDITION_FAILED" ? t("ownerFirst") : t("failed", { message: failure.message }),
        ),
    }),
  );

  if (policy.isError) return <LoadFailed error={policy.error} onRetry={policy.refetch} className="space-y-3" />;
  if (!policy.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  const { required, members, membersWithoutTwoFactor } = policy.data;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (confirming !== null) save.mutate({ orgId, required: confirming });
  }

  return (
    <div className="space-y-3">
      {error && <Alert>{error}</Alert>}
      <div className="flex flex-wrap items-center gap-2" data-testid="two-factor-policy">
        {required ? <Badge tone="green">{t("required")}</Badge> : <Badge>{t("optional")}</Badge>}
        <span className="text-sm text-slate-600">
          {t("membersWithout", { count: membersWithoutTwoFactor, total: members })}
        </span>
      </div>
      <Button
        variant={required ? "secondary" : "primary"}
        onClick={() => {
          setError(null);
          setConfirming(!required);
        }}
      >
        {required ? t("makeOptional") : t("require")}
      </Button>
      {confirming !== null && (
        <Modal title={confirming ? t("requireTitle") : t("optionalTitle")} onClose={() => setConfirming(null)}>
          <form onSubmit={submit} className="space-y-4">
            {error && <Alert>{error}</Alert>}
            <p className="text-sm text-slate-600">
              {confirming ? t("requireHint", { count: membersWithoutTwoFactor }) : t("optionalHint")}
            </p>
            <ConfirmedSubmit
              confirmLabel={confirming ? t("requireConfirm") : t("optionalConfirm")}
              cancelLabel={tc("cancel")}
              submitLabel={confirming ? t("require") : t("makeOptional")}
              pending={save.isPending}
              onCancel={() => setConfirming(null)}
            />
          </form>
        </Modal>
      )}
    </div>
  );
}
