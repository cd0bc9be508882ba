"use client";

import type { RouterOutputs } from "@consentry/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { LoadFailed } from "~/components/load-failed";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Card, PageHeader, Select, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type KindPreference = RouterOutputs["notifications"]["preferences"]["kinds"][number];
const EMAIL_MODES = ["off", "instant", "daily"] as const;

/** Per kind: in the bell or not, mail off / at once / daily, every site or one. Each change is saved at once. */
export function PreferencesView() {
  const t = useTranslations("notifications");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const preferences = useQuery(trpc.notifications.preferences.queryOptions({ orgId: org.orgId }));
  const save = useMutation(
    trpc.notifications.savePreference.mutationOptions({
      onSuccess: async (saved) => {
        setFailure(null);
        setStatus(t("preferences.saved", { kind: t(`kinds.${saved.kind}.name`) }));
        await queryClient.invalidateQueries(trpc.notifications.pathFilter());
      },
      onError: (error) => setFailure(error.message),
    }),
  );
  const change = (row: KindPreference, patch: Partial<Pick<KindPreference, "inApp" | "email" | "siteId">>) =>
    save.mutate({
      orgId: org.orgId,
      kind: row.kind,
      inApp: patch.inApp ?? row.inApp,
      email: patch.email ?? row.email,
      siteId: patch.siteId !== undefined ? patch.siteId : row.siteId,
    });
  const data = preferences.data;

  return (
    <>
      <PageHeader
        title={t("preferences.title")}
        subtitle={t("preferences.subtitle", { org: org.orgName })}
        actions={
          <Link href="/notifications" prefetch={false} className="text-sm font-medium text-brand-700 hover:underline">
            {t("preferences.back")}
          </Link>
        }
      />
      <p className="mb-3 max-w-3xl text-sm text-slate-600">{t("preferences.digestHint")}</p>
      <p aria-live="polite" className="mb-3 min-h-5 text-sm text-slate-600" data-testid="preferences-status">
        {status}
      </p>
      {failure && (
        <div className="mb-3">
          <Alert>{failure}</Alert>
        </div>
      )}
      <Card>
        {preferences.isError ? (
          <LoadFailed error={preferences.error} onRetry={() => preferences.refetch()} />
        ) : (
          <Table
            head={[t("preferences.kind"), t("preferences.inApp"), t("preferences.email"), t("preferences.sites"), ""]}
          >
            {!data ? (
              <SkeletonRows columns={5} />
            ) : (
              data.kinds.map((row) => {
                const name = t(`kinds.${row.kind}.name`);
                return (
                  <tr key={row.kind} data-testid="preference-row" data-kind={row.kind}>
                    <Td>
                      <p className="font-medium text-slate-900">{name}</p>
                      <p className="max-w-sm text-xs text-slate-500">{t(`kinds.${row.kind}.hint`)}</p>
                    </Td>
                    <Td>
                      <input
                        type="checkbox"
                        className="h-4 w-4"
                        aria-label={t("preferences.inAppLabel", { kind: name })}
                        checked={row.inApp}
                        disabled={save.isPending}
                        onChange={(event) => change(row, { inApp: event.target.checked })}
                      />
                    </Td>
                    <Td>
                      <Select
                        aria-label={t("preferences.emailLabel", { kind: name })}
                        value={row.email}
                        disabled={save.isPending}
                        onChange={(event) => change(row, { email: event.target.value as (typeof EMAIL_MODES)[number] })}
                      >
                        {EMAIL_MODES.map((mode) => (
                          <option key={mode} value={mode}>
                            {t(`preferences.emailModes.${mode}`)}
                          </option>
                        ))}
                      </Select>
                    </Td>
                    <Td>
                      {row.scope === "organization" ? (
                        <span className="text-sm text-slate-500">{t("preferences.wholeOrganisation")}</span>
                      ) : (
                        <Select
                          aria-label={t("preferences.siteLabel", { kind: name })}
                          value={row.siteId ?? ""}
                          disabled={save.isPending}
                          onChange={(event) => change(row, { siteId: event.target.value || null })}
                        >
                          <option value="">{t("preferences.allSites")}</option>
                          {data.sites.map((site) => (
                            <option key={site.id} value={site.id}>
                              {t("preferences.onlySite", { site: site.name })}
                            </option>
                          ))}
                        </Select>
                      )}
                    </Td>
                    <Td>
                      <Badge tone={row.isDefault ? "neutral" : "blue"}>
                        {row.isDefault ? t("preferences.default") : t("preferences.custom")}
                      </Badge>
                    </Td>
                  </tr>
                );
              })
            )}
          </Table>
        )}
      </Card>
    </>
  );
}
