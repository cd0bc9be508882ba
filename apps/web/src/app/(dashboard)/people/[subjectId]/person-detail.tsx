"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Modal } from "~/components/modal";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, Field, Input, PageHeader, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { ConfirmNoticeForm, ConsentForm } from "./consent-form";
import { EnrolmentSection } from "./enrolment-section";
import { PersonRecord } from "./person-record";

/** One person's consents, with withdrawal (which queues deletion of their templates). */
export function PersonDetail({ subjectId, correctionRequestId }: { subjectId: string; correctionRequestId?: string }) {
  const t = useTranslations("people");
  const tc = useTranslations("common");
  const tr = useTranslations("registry");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const consents = useQuery(trpc.subjects.consents.queryOptions({ orgId: org.orgId, subjectId }));
  const withdraw = useMutation(
    trpc.subjects.withdrawConsent.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );

  const [recording, setRecording] = useState(false);
  const [confirming, setConfirming] = useState<NonNullable<typeof consents.data>[number] | null>(null);
  const [withdrawing, setWithdrawing] = useState<NonNullable<typeof consents.data>[number] | null>(null);
  if (consents.isError) {
    return isNotFound(consents.error) ? (
      <NotFoundCard backHref="/people" backLabel={t("back")} />
    ) : (
      <Alert>{tc("loadFailed", { message: consents.error.message })}</Alert>
    );
  }
  return (
    <>
      <Link href="/people" className="text-sm text-brand-700 hover:underline">
        ← {t("back")}
      </Link>
      <PersonRecord subjectId={subjectId} correctionRequestId={correctionRequestId} />
      <PageHeader
        title={t("consents")}
        actions={
          roleAtLeast(org.role, "manager") && <Button onClick={() => setRecording(true)}>{t("giveConsent")}</Button>
        }
      />
      {withdraw.data && (
        <div className="mb-4">
          <Alert tone="blue">{t("withdrawDone", { count: withdraw.data.templatesQueuedForDeletion })}</Alert>
        </div>
      )}
      {withdraw.error && (
        <div className="mb-4">
          <Alert>{withdraw.error.message}</Alert>
        </div>
      )}
      <Card>
        {consents.data?.length === 0 ? (
          <EmptyState title={t("noConsents")} />
        ) : (
          <Table head={[t("site"), tr("purpose"), t("scopes"), t("noticeVersion"), t("givenAt"), "", ""]}>
            {consents.data?.map((consent) => (
              <tr key={consent.id} data-testid="consent-row">
                <Td>{consent.siteName}</Td>
                <Td>{tr(`purposes.${consent.purpose}`)}</Td>
                <Td>{consent.scopes.map((scope) => t(`scopeNames.${scope}`)).join(" · ")}</Td>
                <Td className="whitespace-nowrap">
                  {consent.noticeVersion !== null ? (
                    tr("version", { version: consent.noticeVersion })
                  ) : (
                    <span className="text-xs text-amber-700">{t("noNoticeVersion")}</span>
                  )}
                  {consent.noticeVersion === null && !consent.withdrawnAt && roleAtLeast(org.role, "manager") && (
                    <Button variant="ghost" onClick={() => setConfirming(consent)}>
                      {t("confirmNotice")}
                    </Button>
                  )}
                </Td>
                <Td className="whitespace-nowrap">{format.dateTime(consent.givenAt, { dateStyle: "medium" })}</Td>
                <Td>
                  {consent.withdrawnAt ? (
                    <Badge>
                      {t("withdrawn", { date: format.dateTime(consent.withdrawnAt, { dateStyle: "medium" }) })}
                    </Badge>
                  ) : (
                    <Badge tone="green">{t("active")}</Badge>
                  )}
                  {/* CN-FR-04 asks for a separate consent: show which one is not, so it can be replaced. */}
                  {(consent.isBundled || !consent.isSeparate) && (
                    <span className="ml-1" title={t("bundledHint")}>
                      <Badge tone="amber">{t("bundled")}</Badge>
                    </span>
                  )}
                </Td>
                <Td className="text-right">
                  {!consent.withdrawnAt && roleAtLeast(org.role, "operator") && (
                    <Button variant="danger" disabled={withdraw.isPending} onClick={() => setWithdrawing(consent)}>
                      {t("withdraw")}
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      {consents.data && <EnrolmentSection subjectId={subjectId} consents={consents.data} />}
      {recording && <ConsentForm subjectId={subjectId} onClose={() => setRecording(false)} />}
      {confirming && <ConfirmNoticeForm consent={confirming} onClose={() => setConfirming(null)} />}
      {withdrawing && (
        <WithdrawDialog
          siteName={withdrawing.siteName}
          pending={withdraw.isPending}
          onClose={() => setWithdrawing(null)}
          onWithdraw={(reason) =>
            withdraw.mutate(
              { orgId: org.orgId, consentId: withdrawing.id, reason },
              { onSettled: () => setWithdrawing(null) },
            )
          }
        />
      )}
    </>
  );
}

/** Withdrawal ends the consent and queues the deletion of its templates: it asks for the reason first. */
function WithdrawDialog(props: {
  siteName: string;
  pending: boolean;
  onClose: () => void;
  onWithdraw: (reason: string) => void;
}) {
  const t = useTranslations("people");
  const [reason, setReason] = useState("");
  return (
    <Modal title={t("withdrawTitle", { site: props.siteName })} onClose={props.onClose}>
      <form
        className="space-y-3 text-sm"
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim()) props.onWithdraw(reason.trim());
        }}
      >
        <p className="text-slate-600">{t("withdrawExplain")}</p>
        <Field id="withdraw-reason" label={t("withdrawReason")}>
          <Input
            id="withdraw-reason"
            autoFocus
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </Field>
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={props.onClose}>
            {t("cancel")}
          </Button>
          <Button type="submit" variant="danger" disabled={!reason.trim() || props.pending}>
            {t("withdraw")}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
