"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { PersonForm } from "../person-form";

/**
 * The person's record (name and contact decrypted for operators and above). Managers correct it;
 * arriving from a correction request (`correctionRequestId`) opens the form, and saving records
 * the correction in that request's history.
 */
export function PersonRecord({ subjectId, correctionRequestId }: { subjectId: string; correctionRequestId?: string }) {
  const t = useTranslations("people");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const canEdit = roleAtLeast(org.role, "manager");
  const [editing, setEditing] = useState(Boolean(correctionRequestId) && canEdit);
  const person = useQuery(trpc.subjects.get.queryOptions({ orgId: org.orgId, subjectId }));
  if (person.isError) return <Alert>{tc("loadFailed", { message: person.error.message })}</Alert>;
  if (!person.data) return null;
  const p = person.data;
  return (
    <Card className="mb-6">
      <div className="flex items-start justify-between gap-4 p-4" data-testid="person-record">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-500">{t("pseudonym")}</dt>
          <dd className="font-mono">{p.pseudonym}</dd>
          <dt className="text-slate-500">{t("name")}</dt>
          <dd>{p.displayName ?? "—"}</dd>
          <dt className="text-slate-500">{t("contact")}</dt>
          <dd>{p.contact ?? "—"}</dd>
          <dt className="text-slate-500">{t("birthYear")}</dt>
          <dd>
            {p.birthYear ?? "—"} {p.isMinor && <Badge tone="amber">{t("minor")}</Badge>}
          </dd>
        </dl>
        {canEdit && (
          <Button variant="secondary" onClick={() => setEditing(true)}>
            {t("correct")}
          </Button>
        )}
      </div>
      {correctionRequestId && <p className="px-4 pb-4 text-xs text-slate-600">{t("correctionNote")}</p>}
      {editing && <PersonForm person={p} requestId={correctionRequestId} onClose={() => setEditing(false)} />}
    </Card>
  );
}
