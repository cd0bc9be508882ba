"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { LoadFailed } from "~/components/load-failed";
import { Alert, Button, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { portsText } from "../camera-networks/camera-networks-view";
import { NetworkFormDialog } from "../camera-networks/network-form";

/** Platform admins: reserved ranges this installation lets organisations use (if they list them too). */
export function NetworkExceptionsView() {
  const t = useTranslations("networkExceptions");
  const tn = useTranslations("cameraNetworks");
  const tv = useTranslations("validation");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});

  const exceptions = useQuery(trpc.admin.networkExceptions.queryOptions());
  const invalidate = () => queryClient.invalidateQueries(trpc.admin.networkExceptions.pathFilter());
  const add = useMutation(
    trpc.admin.addNetworkException.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        setAdding(false);
      },
      onError: (error) => setErrors(fieldErrorsFromServer(error, tv)),
    }),
  );
  const remove = useMutation(trpc.admin.removeNetworkException.mutationOptions({ onSuccess: invalidate }));
  const addButton = (
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
      <Card>
        {remove.error && (
          <div className="px-4 pt-3">
            <Alert>{remove.error.message}</Alert>
          </div>
        )}
        {exceptions.isError ? (
          <LoadFailed error={exceptions.error} onRetry={exceptions.refetch} />
        ) : exceptions.data?.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} action={addButton} />
        ) : (
          <Table head={[tn("cidr"), tn("ports"), t("reason"), tn("addedBy"), tn("added"), ""]}>
            {!exceptions.data ? (
              <SkeletonRows columns={6} />
            ) : (
              exceptions.data.map((row) => (
                <tr key={row.id} data-testid="exception-row">
                  <Td className="font-mono text-sm">{row.cidr}</Td>
                  <Td className="font-mono text-xs">{portsText(row, tn("anyPort"))}</Td>
                  <Td>{row.reason}</Td>
                  <Td className="text-slate-600">{row.createdBy ?? "—"}</Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {format.dateTime(row.createdAt, { dateStyle: "medium", timeStyle: "short" })}
                  </Td>
                  <Td className="text-right">
                    <Button
                      variant="ghost"
                      onClick={() => {
                        if (window.confirm(t("confirmRemove", { cidr: row.cidr }))) {
                          remove.mutate({ exceptionId: row.id });
                        }
                      }}
                    >
                      {tn("remove")}
                    </Button>
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
          textLabel={t("reason")}
          textRequired
          textField="reason"
          errors={errors}
          pending={add.isPending}
          onClose={() => setAdding(false)}
          onSubmit={({ text, ...rule }) => add.mutate({ ...rule, reason: text ?? "" })}
        />
      )}
    </>
  );
}
