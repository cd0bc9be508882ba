"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { EmptyState, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

/** The site's privacy notices (CN-FR-03) and impact assessments (CN-FR-08). */
export function RecordsSection({ siteId }: { siteId: string }) {
  const t = useTranslations("registry");
  const format = useFormatter();
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const notices = useQuery(trpc.notices.list.queryOptions({ orgId, siteId }));
  const assessments = useQuery(trpc.assessments.list.queryOptions({ orgId, siteId }));
  const date = (value: Date | null) => (value ? format.dateTime(value, { dateStyle: "medium" }) : t("none"));
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Section title={t("notices")}>
        {notices.data?.length === 0 ? (
          <EmptyState title={t("noNotices")} />
        ) : (
          <Table head={[t("version", { version: "" }).trim(), t("noticePurpose"), t("retention")]}>
            {notices.data?.map((notice) => (
              <tr key={notice.id}>
                <Td className="whitespace-nowrap">{t("version", { version: notice.version })}</Td>
                <Td className="text-slate-600">{notice.purpose}</Td>
                <Td className="text-slate-600">{notice.retention}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section title={t("assessments")}>
        {assessments.data?.length === 0 ? (
          <EmptyState title={t("noAssessments")} />
        ) : (
          <Table head={[t("completedAt"), t("approver"), t("nextReview")]}>
            {assessments.data?.map((assessment) => (
              <tr key={assessment.id}>
                <Td className="whitespace-nowrap">{date(assessment.completedAt)}</Td>
                <Td>{assessment.approver}</Td>
                <Td className="whitespace-nowrap">{date(assessment.nextReviewAt)}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
    </div>
  );
}
