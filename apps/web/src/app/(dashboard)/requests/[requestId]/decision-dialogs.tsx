"use client";

import type { RouterOutputs } from "@consentry/api";
import { REFUSAL_REASON_MIN } from "@consentry/core/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { Modal } from "~/components/modal";
import { Alert, Button, Field } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Ids = { orgId: string; requestId: string };

function useDecided(onClose: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return {
    onSuccess: async () => {
      await queryClient.invalidateQueries(trpc.requests.pathFilter());
      onClose();
    },
  };
}

/**
 * Approving a deletion or withdrawal cannot be undone: the dialog counts what it will erase or
 * end (read now, from the same tables the erasure works on) and asks for a ticked confirmation.
 */
export function ApproveDialog({
  ids,
  request,
  onClose,
}: {
  ids: Ids;
  request: Pick<RouterOutputs["requests"]["get"], "type" | "subjectPseudonym">;
  onClose: () => void;
}) {
  const t = useTranslations("requests.decide");
  const tr = useTranslations("requests");
  const trpc = useTRPC();
  const preview = useQuery(trpc.requests.previewApproval.queryOptions(ids));
  const approve = useMutation(trpc.requests.approve.mutationOptions(useDecided(onClose)));
  const erases = request.type === "deletion" || request.type === "withdrawal";

  function submit(event: FormEvent) {
    event.preventDefault();
    approve.mutate(ids);
  }

  return (
    <Modal title={t("approveTitle", { type: tr(`types.${request.type}`) })} onClose={onClose}>
      <form onSubmit={submit} className="space-y-3 text-sm" data-testid="approve-dialog">
        {preview.isError && <Alert>{preview.error.message}</Alert>}
        {!preview.data && !preview.isError && <p className="text-slate-500">{t("counting")}</p>}
        {preview.data && erases && !preview.data.linked && <Alert tone="amber">{t("linkFirst")}</Alert>}
        {preview.data?.counts && (
          <>
            <p>
              {t(request.type === "deletion" ? "deletionIntro" : "withdrawalIntro", {
                pseudonym: request.subjectPseudonym ?? "",
              })}
            </p>
            <ul className="list-disc pl-5" data-testid="approve-counts">
              {Object.entries(preview.data.counts).map(([key, value]) => (
                <li key={key}>{t(`counts.${key}` as "counts.templates", { count: value })}</li>
              ))}
            </ul>
            <p className="font-medium text-red-700">{t("irreversible")}</p>
          </>
        )}
        {preview.data && !erases && <p>{t(`answers.${request.type}` as "answers.access")}</p>}
        {approve.error && <Alert>{approve.error.message}</Alert>}
        {preview.data && erases && preview.data.linked ? (
          <ConfirmedSubmit
            confirmLabel={t(request.type === "deletion" ? "confirmDeletion" : "confirmWithdrawal")}
            cancelLabel={t("cancel")}
            submitLabel={tr("approve")}
            pending={approve.isPending}
            onCancel={onClose}
          />
        ) : (
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onClose}>
              {t("cancel")}
            </Button>
            {preview.data && !erases && (
              <Button type="submit" disabled={approve.isPending}>
                {tr("approve")}
              </Button>
            )}
          </div>
        )}
      </form>
    </Modal>
  );
}

/** A refusal needs its reason: the requester reads it on their status page (CN-PI-06). */
export function RefuseDialog({ ids, onClose }: { ids: Ids; onClose: () => void }) {
  const t = useTranslations("requests.decide");
  const tr = useTranslations("requests");
  const trpc = useTRPC();
  const [reason, setReason] = useState("");
  const refuse = useMutation(trpc.requests.refuse.mutationOptions(useDecided(onClose)));
  const ready = reason.trim().length >= REFUSAL_REASON_MIN;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (ready) refuse.mutate({ ...ids, reason: reason.trim() });
  }

  return (
    <Modal title={t("refuseTitle")} onClose={onClose}>
      <form onSubmit={submit} className="space-y-3 text-sm" data-testid="refuse-dialog">
        <Field id="refusal-reason" label={t("reason", { min: REFUSAL_REASON_MIN })} hint={t("reasonHint")}>
          <textarea
            id="refusal-reason"
            // biome-ignore lint/a11y/noAutofocus: the dialog exists to take this reason
            autoFocus
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
            rows={4}
            maxLength={2000}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </Field>
        {refuse.error && <Alert>{refuse.error.message}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            {t("cancel")}
          </Button>
          <Button type="submit" variant="danger" disabled={!ready || refuse.isPending}>
            {tr("refuse")}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
