"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { LoadFailed } from "~/components/load-failed";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { NetworkFormDialog } from "./network-form";

/** The network policy's names for reserved ranges (RESERVED_RANGES in @consentry/network), in the reader's language. */
const RESERVED_KINDS: Record<string, string> = {
  unspecified: "unspecified",
  loopback: "loopback",
  "link-local": "linkLocal",
  "cloud metadata": "cloudMetadata",
  multicast: "multicast",
  reserved: "reserved",
  broadcast: "broadcast",
  "IPv4-compatible": "ipv4Compatible",
  "6to4 tunnel": "tunnel6to4",
  "Teredo tunnel": "teredo",
};
function reservedLabels(labels: string[], t: (key: string) => string, list: (items: string[]) => string): string {
  const kinds = [...new Set(labels.flatMap((label) => label.split(/,\s*/)))];
  return list(kinds.map((kind) => (RESERVED_KINDS[kind] ? t(`reservedKinds.${RESERVED_KINDS[kind]}`) : kind)));
}

export function portsText(row: { portFrom: number | null; portTo: number | null }, any: string) {
  if (row.portFrom === null || row.portTo === null) return any;
  return row.portFrom === row.portTo ? String(row.portFrom) : `${row.portFrom}–${row.portTo}`;
}

export function CameraNetworksView() {
  const t = useTranslations("cameraNetworks");
  const tv = useTranslations("validation");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const isOwner = roleAtLeast(org.role, "owner");
  const [adding, setAdding] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});

  const networks = useQuery(trpc.cameraNetworks.list.queryOptions({ orgId: org.orgId }));
  const invalidate = () => queryClient.invalidateQueries(trpc.cameraNetworks.pathFilter());
  const add = useMutation(
    trpc.cameraNetworks.add.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        setAdding(false);
      },
      onError: (error) => setErrors(fieldErrorsFromServer(error, tv)),
    }),
  );
  const remove = useMutation(trpc.cameraNetworks.remove.mutationOptions({ onSuccess: invalidate }));

  const addButton = isOwner && (
    <Button
      onClick={() => {
        setErrors({});
        setAdding(true);
      }}
    >
      {t("add")}
    </Button>
  );

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} actions={addButton} />
      <div className="mb-4 space-y-2">
        <Alert tone="blue">{t("reservedNote")}</Alert>
        {!isOwner && <p className="text-sm text-slate-600">{t("ownerOnly")}</p>}
      </div>
      <Card>
        {remove.error && (
          <div className="px-4 pt-3">
            <Alert>{remove.error.message}</Alert>
          </div>
        )}
        {networks.isError ? (
          <LoadFailed error={networks.error} onRetry={networks.refetch} />
        ) : networks.data?.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={isOwner ? t("emptyBody") : t("emptyReadOnly")} action={addButton} />
        ) : (
          <Table head={[t("cidr"), t("ports"), t("note"), t("addedBy"), t("added"), ""]}>
            {!networks.data ? (
              <SkeletonRows columns={6} />
            ) : (
              networks.data.map((row) => (
                <tr key={row.id} data-testid="network-row">
                  <Td>
                    <span className="font-mono text-sm">{row.cidr}</span>
                    {row.reserved.length > 0 && (
                      <div className="mt-1">
                        <Badge tone="amber">
                          {t("reservedBadge", {
                            labels: reservedLabels(row.reserved, t as (key: string) => string, (items) =>
                              format.list(items, { type: "unit" }),
                            ),
                          })}
                        </Badge>
                      </div>
                    )}
                  </Td>
                  <Td className="font-mono text-xs">{portsText(row, t("anyPort"))}</Td>
                  <Td>{row.note}</Td>
                  <Td className="text-slate-600">{row.createdBy ?? "—"}</Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {format.dateTime(row.createdAt, { dateStyle: "medium", timeStyle: "short" })}
                  </Td>
                  <Td className="text-right">
                    {isOwner && (
                      <Button
                        variant="ghost"
                        onClick={() => {
                          if (window.confirm(t("confirmRemove", { cidr: row.cidr }))) {
                            remove.mutate({ orgId: org.orgId, networkId: row.id });
                          }
                        }}
                      >
                        {t("remove")}
                      </Button>
                    )}
                  </Td>
                </tr>
              ))
            )}
          </Table>
        )}
      </Card>
      {adding && (
        <NetworkFormDialog
          title={t("addTitle")}
          textLabel={t("note")}
          textField="note"
          errors={errors}
          pending={add.isPending}
          onClose={() => setAdding(false)}
          onSubmit={({ text, ...rule }) => add.mutate({ orgId: org.orgId, ...rule, note: text })}
        />
      )}
    </>
  );
}
