"use client";

import { LINK_OVERRIDE_MIN } from "@consentry/core/validators";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { fieldErrorsFromServer } from "~/components/form-errors";
import { Alert, Button, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/** The refusals staff may override with a reason (packages/core/src/requests/link-subject.ts). */
const OVERRIDABLE = new Set(["linkContactMismatch", "linkNoContact"]);

function overridableReason(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const reason = (error.data?.fieldError as { reason?: string } | null | undefined)?.reason;
  return reason && OVERRIDABLE.has(reason) ? reason : null;
}

/**
 * Links a request to a person by pseudonym. When the person's stored contact is not the
 * requester's verified email, the refusal is shown and staff may link anyway only with a
 * reason and an explicit confirmation; both end up in the audit log.
 */
export function LinkPersonForm({ orgId, requestId, onDone }: { orgId: string; requestId: string; onDone: () => void }) {
  const t = useTranslations("requests.link");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pseudonym, setPseudonym] = useState("");
  const [reason, setReason] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const [mismatch, setMismatch] = useState<string | null>(null);
  // The picker: people whose pseudonym contains what was typed, with whether their stored
  // contact is the email the requester verified.
  const matches = useQuery({
    ...trpc.requests.personCandidates.queryOptions({ orgId, requestId, search: pseudonym.trim() || "-" }),
    enabled: pseudonym.trim().length >= 2,
  });
  const link = useMutation(
    trpc.requests.linkSubject.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.requests.pathFilter());
        onDone();
      },
      onError: (error) => setMismatch(overridableReason(error)),
    }),
  );
  const errors = link.error && !mismatch ? fieldErrorsFromServer(link.error, tv) : {};
  const reasonReady = reason.trim().length >= LINK_OVERRIDE_MIN && confirmed;

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = pseudonym.trim();
    if (!trimmed) return;
    link.mutate({ orgId, requestId, pseudonym: trimmed, ...(mismatch ? { overrideReason: reason.trim() } : {}) });
  }

  return (
    <form onSubmit={submit} className="mt-2 max-w-md space-y-2 text-left" data-testid="link-person-form">
      <Field
        id={`pseudonym-${requestId}`}
        label={t("pseudonym")}
        hint={t("pseudonymHint")}
        error={errors.pseudonym ?? errors.form}
      >
        <Input
          id={`pseudonym-${requestId}`}
          list={`people-${requestId}`}
          autoComplete="off"
          value={pseudonym}
          aria-invalid={Boolean(errors.pseudonym ?? mismatch)}
          onChange={(event) => {
            setPseudonym(event.target.value);
            setMismatch(null);
            setConfirmed(false);
          }}
        />
      </Field>
      <datalist id={`people-${requestId}`}>
        {matches.data?.map((person) => (
          <option key={person.id} value={person.pseudonym}>
            {`${person.displayName ?? person.pseudonym} · ${t(`candidateContact.${person.contact}`)}`}
          </option>
        ))}
      </datalist>
      {mismatch && (
        <div className="space-y-2" data-testid="link-override">
          <Alert tone="amber">
            <p className="font-medium">{tv(mismatch as "linkContactMismatch")}</p>
            <p className="mt-1">
              {t("overrideTitle")} {t("overrideBody")}
            </p>
          </Alert>
          <Field id={`override-${requestId}`} label={t("overrideReason", { min: LINK_OVERRIDE_MIN })}>
            <textarea
              id={`override-${requestId}`}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
              rows={3}
              maxLength={2000}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </Field>
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
            {t("overrideConfirm")}
          </label>
        </div>
      )}
      <div className="flex justify-end gap-1">
        <Button variant="ghost" onClick={onDone}>
          {t("cancel")}
        </Button>
        {mismatch ? (
          <Button type="submit" variant="danger" disabled={!reasonReady || link.isPending}>
            {t("overrideSubmit")}
          </Button>
        ) : (
          <Button type="submit" disabled={!pseudonym.trim() || link.isPending}>
            {t("submit")}
          </Button>
        )}
      </div>
    </form>
  );
}
