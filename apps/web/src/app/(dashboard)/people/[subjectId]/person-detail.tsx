"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, Table, Td } from "~/components/ui";
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
                </Td>
                <Td className="text-right">
                  {!consent.withdrawnAt && roleAtLeast(org.role, "operator") && (
                    <Button
                      variant="danger"
                      disabled={withdraw.isPending}
                      onClick={() => {
                        const reason = window.prompt(t("withdrawReason"));
                        if (reason?.trim())
                          withdraw.mutate({ orgId: org.orgId, consentId: consent.id, reason: reason.trim() });
                      }}
                    >
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
    </>
  );
}
