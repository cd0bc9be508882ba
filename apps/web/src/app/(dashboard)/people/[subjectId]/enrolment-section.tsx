"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, Field, Select, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Consent = RouterOutputs["subjects"]["consents"][number];
const STATUS_TONE = { queued: "neutral", processing: "blue", done: "green", failed: "red" } as const;

/**
 * Enrolment from photos, for sites where the person consented to recognition. Templates are
 * computed by an inference worker; the list follows its progress.
 */
export function EnrolmentSection({ subjectId, consents }: { subjectId: string; consents: Consent[] }) {
  const t = useTranslations("enrolment");
  const tv = useTranslations("validation");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [state, setState] = useState<{ sending: boolean; error: string | null }>({ sending: false, error: null });
  const enrolments = useQuery({
    ...trpc.enrolments.list.queryOptions({ orgId: org.orgId, subjectId }),
    refetchInterval: (query) =>
      query.state.data?.some((e) => e.status === "queued" || e.status === "processing") ? 1500 : false,
  });
  const sites = new Map(
    consents
      .filter((consent) => !consent.withdrawnAt && consent.scopes.includes("recognition"))
      .map((consent) => [consent.siteId, consent.siteName]),
  );

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setState({ sending: true, error: null });
    const response = await fetch(`/api/people/${subjectId}/enrolments?orgId=${org.orgId}`, {
      method: "POST",
      body: new FormData(form),
    }).catch(() => null);
    if (response?.ok) {
      form.reset();
      setState({ sending: false, error: null });
      await queryClient.invalidateQueries(trpc.enrolments.pathFilter());
      return;
    }
    const problem = (await response?.json().catch(() => null)) as { reason?: string; error?: string } | null;
    setState({
      sending: false,
      error: problem?.reason && tv.has(problem.reason) ? tv(problem.reason) : (problem?.error ?? tv("invalid")),
    });
  }

  return (
    <Card className="mt-6">
      <div className="px-4 pt-4 pb-2">
        <h2 className="text-sm font-semibold">{t("title")}</h2>
        <p className="text-xs text-slate-500">{t("subtitle")}</p>
        <p className="text-xs text-slate-500">{t("lifecycle.photosDeleted")}</p>
      </div>
      {roleAtLeast(org.role, "manager") && (
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3 px-4 pb-4" noValidate>
          <Field id="enrol-site" label={t("site")}>
            <Select id="enrol-site" name="siteId" disabled={sites.size === 0}>
              {[...sites].map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="enrol-photos" label={t("photos")}>
            <input
              id="enrol-photos"
              name="photos"
              type="file"
              multiple
              accept="image/jpeg,image/png,image/webp"
              className="block text-sm"
            />
          </Field>
          <Button type="submit" disabled={state.sending || sites.size === 0}>
            {state.sending ? t("uploading") : t("enrol")}
          </Button>
          {sites.size === 0 && <p className="w-full text-xs text-amber-700">{t("needsConsent")}</p>}
          {state.error && (
            <div className="w-full">
              <Alert>{state.error}</Alert>
            </div>
          )}
        </form>
      )}
      {enrolments.data?.length === 0 ? (
        <EmptyState title={t("none")} />
      ) : (
        <Table head={[t("site"), t("requestedAt"), t("status"), t("photos")]}>
          {enrolments.data?.map((enrolment) => {
            // What became of each photo, by upload position; empty for enrolments from before it was
            // recorded, which show their photo rows instead.
            const outcomes = enrolment.photoOutcomes;
            const block = enrolment.stoppedBecause;
            return (
              <tr key={enrolment.id} data-testid="enrolment-row">
                <Td>{enrolment.siteName}</Td>
                <Td className="whitespace-nowrap">
                  {format.dateTime(enrolment.createdAt, { dateStyle: "medium", timeStyle: "short" })}
                </Td>
                <Td>
                  <Badge tone={STATUS_TONE[enrolment.status]}>{t(`statuses.${enrolment.status}`)}</Badge>
                  {(block || enrolment.failureReason) && (
                    <div className="mt-1 text-xs text-red-700">
                      {block
                        ? t(`lifecycle.stopped.${block}`)
                        : outcomes.length > 0 &&
                            !outcomes.some((outcome) => outcome === "accepted" || outcome === "pending")
                          ? t("lifecycle.noUsablePhoto")
                          : enrolment.failureReason}
                    </div>
                  )}
                </Td>
                <Td className="text-xs">
                  {outcomes.length > 0
                    ? outcomes.map((outcome, index) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: one entry per uploaded photo, in upload order
                        <div key={index}>
                          {t("photoN", { n: index + 1 })}:{" "}
                          {outcome === "pending" || outcome === "accepted"
                            ? t(`photoStatuses.${outcome}`)
                            : `${t("photoStatuses.rejected")} — ${t(`rejections.${outcome}`)}`}
                        </div>
                      ))
                    : enrolment.photos.map((photo, index) => (
                        <div key={photo.id}>
                          {t("photoN", { n: index + 1 })}: {t(`photoStatuses.${photo.status}`)}
                          {photo.rejectionReason && ` — ${t(`rejections.${photo.rejectionReason}`)}`}
                        </div>
                      ))}
                  {outcomes.length > 0 && enrolment.photos.length === 0 && enrolment.status !== "processing" && (
                    <div className="mt-1 text-slate-500">{t("lifecycle.noPhotoKept")}</div>
                  )}
                </Td>
              </tr>
            );
          })}
        </Table>
      )}
    </Card>
  );
}
