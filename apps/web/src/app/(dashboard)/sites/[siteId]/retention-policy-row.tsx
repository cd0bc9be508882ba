"use client";

import type { RouterOutputs } from "@consentry/api";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { createPortal } from "react-dom";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Button, Input, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type PolicyRow = RouterOutputs["retention"]["site"]["policy"][number];
const MAX_DAYS = 3650;

/** One kind of data in the Retention panel; owners change its period in place. */
export function RetentionPolicyRow({
  siteId,
  row,
  nextRunAt,
  templateMaxDays,
  canEdit,
}: {
  siteId: string;
  row: PolicyRow;
  nextRunAt: Date;
  templateMaxDays: number;
  canEdit: boolean;
}) {
  const t = useTranslations("retention");
  const tv = useTranslations("validation");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { orgId } = useActiveOrg();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(String(row.days));
  const [errors, setErrors] = useState<FieldErrors>({});
  // A shorter period is confirmed first: the next run deletes what is past it, for good.
  const [shortening, setShortening] = useState<number | null>(null);
  const kind = t(`kinds.${row.kind}`);
  const period = (days: number) =>
    days === 0 ? t("atOnce") : row.kind === "templates" ? t("afterLastUse", { days }) : t("days", { days });
  const when = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });

  const update = useMutation(
    trpc.retention.update.mutationOptions({
      onSuccess: async () => {
        // The site's own form shows the template period too.
        await queryClient.invalidateQueries();
        setEditing(false);
        setErrors({});
      },
      onError: (error) => setErrors(fieldErrorsFromServer(error, tv)),
      onSettled: () => setShortening(null),
    }),
  );

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const days = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isInteger(days)) return setErrors({ days: tv("number") });
    if (days === row.days) return setEditing(false);
    if (days < row.days) return setShortening(days);
    update.mutate({ orgId, siteId, kind: row.kind, days });
  }

  const changed =
    row.kind === "templates"
      ? t("withSite")
      : row.updatedBy && row.updatedAt
        ? t("changedBy", { name: row.updatedBy, date: when(row.updatedAt) })
        : t("defaultChange");
  const error = errors.days ?? errors.form;
  return (
    <tr data-testid="retention-row" data-kind={row.kind}>
      <Td>
        <p className="font-medium">{kind}</p>
        <p className="mt-0.5 max-w-md text-xs text-slate-500">{t(`meaning.${row.kind}`)}</p>
      </Td>
      <Td className="whitespace-nowrap">
        {editing ? (
          <form onSubmit={onSave} noValidate className="flex flex-wrap items-center gap-2">
            <div className="w-24">
              <Input
                type="number"
                inputMode="numeric"
                min={row.kind === "templates" ? 1 : 0}
                max={row.kind === "templates" ? templateMaxDays : MAX_DAYS}
                step={1}
                autoFocus
                aria-label={t("changeLabel", { kind })}
                aria-invalid={error ? true : undefined}
                value={value}
                onChange={(event) => setValue(event.target.value)}
              />
            </div>
            <span className="text-sm text-slate-600">{t("daysUnit")}</span>
            <Button type="submit" disabled={update.isPending}>
              {t("save")}
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setEditing(false);
                setErrors({});
              }}
            >
              {t("cancel")}
            </Button>
            {error && (
              <p role="alert" className="w-full text-xs whitespace-normal text-red-700">
                {error}
              </p>
            )}
          </form>
        ) : (
          <span data-testid="retention-period">{period(row.days)}</span>
        )}
      </Td>
      <Td className="whitespace-nowrap text-slate-600">{period(row.defaultDays)}</Td>
      <Td className="text-slate-600">{changed}</Td>
      {canEdit && (
        <Td className="whitespace-nowrap">
          {!editing && (
            <Button
              variant="ghost"
              aria-label={`${t("change")}: ${kind}`}
              onClick={() => {
                setValue(String(row.days));
                setEditing(true);
              }}
            >
              {t("change")}
            </Button>
          )}
        </Td>
      )}
      {shortening !== null &&
        // A dialog is no table cell: it goes to the body.
        createPortal(
          <Modal title={t("confirm.title", { kind })} onClose={() => setShortening(null)}>
            <form
              className="space-y-4"
              onSubmit={(event) => {
                event.preventDefault();
                update.mutate({ orgId, siteId, kind: row.kind, days: shortening });
              }}
            >
              <p className="text-sm text-slate-700">
                {t("confirm.body", { from: period(row.days), to: period(shortening), date: when(nextRunAt) })}
              </p>
              <ConfirmedSubmit
                confirmLabel={t("confirm.check")}
                cancelLabel={t("cancel")}
                submitLabel={t("confirm.submit")}
                pending={update.isPending}
                onCancel={() => setShortening(null)}
              />
            </form>
          </Modal>,
          document.body,
        )}
    </tr>
  );
}
