"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { CSV_MAX_BYTES } from "@consentry/core/validators";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { describeIssue } from "~/components/form-errors";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, Field, Input, PageHeader, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Preview = RouterOutputs["cameras"]["importPreview"];

export function ImportView() {
  const t = useTranslations("cameras");
  const tc = useTranslations("common");
  const tv = useTranslations("validation");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [csv, setCsv] = useState<string | null>(null);
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const check = useMutation(trpc.cameras.importPreview.mutationOptions({ onSuccess: setPreview }));
  const commit = useMutation(
    trpc.cameras.importCommit.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.cameras.pathFilter()),
    }),
  );

  if (!roleAtLeast(org.role, "manager")) return <EmptyState title={tc("noAccessTitle")} body={tc("noAccessBody")} />;

  async function onFile(file: File | undefined) {
    setPreview(null);
    commit.reset();
    setFileProblem(null);
    setCsv(null);
    if (!file) return;
    if (file.size > CSV_MAX_BYTES) return setFileProblem(t("importTooLarge"));
    setCsv(await file.text());
  }

  function describeFileIssue(issue: string) {
    const [key, detail = ""] = issue.split(/:(.*)/s);
    if (key === "csvMissingColumns") return t("csvMissingColumns", { columns: detail });
    if (key === "csvUnreadable") return t("csvUnreadable", { detail });
    return t(key as "csvEmpty");
  }

  return (
    <>
      <Link href="/cameras" className="text-sm text-brand-700 hover:underline">
        ← {t("back")}
      </Link>
      <PageHeader title={t("importTitle")} subtitle={t("importIntro")} />
      <Card className="space-y-4 p-4">
        <Field id="csv-file" label={t("importChoose")} error={fileProblem ?? undefined}>
          <Input id="csv-file" type="file" accept=".csv,text/csv" onChange={(e) => onFile(e.target.files?.[0])} />
        </Field>
        <div className="flex gap-2">
          <Button disabled={!csv || check.isPending} onClick={() => csv && check.mutate({ orgId: org.orgId, csv })}>
            {check.isPending ? tc("loading") : t("importPreview")}
          </Button>
          {preview && preview.errorCount === 0 && !preview.fileIssue && !commit.isSuccess && (
            <Button disabled={commit.isPending} onClick={() => csv && commit.mutate({ orgId: org.orgId, csv })}>
              {commit.isPending ? tc("saving") : t("importCommit", { count: preview.validCount })}
            </Button>
          )}
        </div>
        {check.error && <Alert>{check.error.message}</Alert>}
        {commit.error && <Alert>{commit.error.message}</Alert>}
        {commit.data && (
          <Alert tone="blue">
            {t("importDone", { count: commit.data.imported })} <Link href="/cameras">{t("back")}</Link>
          </Alert>
        )}
        {preview?.fileIssue && <Alert>{describeFileIssue(preview.fileIssue)}</Alert>}
        {preview && !preview.fileIssue && !commit.isSuccess && (
          <Alert tone={preview.errorCount > 0 ? "red" : "blue"}>
            {preview.errorCount > 0
              ? t("importHasErrors", { count: preview.errorCount })
              : t("importAllGood", { count: preview.validCount })}
          </Alert>
        )}
      </Card>
      {preview && preview.rows.length > 0 && !commit.isSuccess && (
        <Card className="mt-6">
          <Table head={[t("importLine"), t("name"), t("site"), t("importProblems")]}>
            {preview.rows.map((row) => (
              <tr key={row.line} data-testid="import-row" className={row.issues.length ? "bg-red-50/60" : undefined}>
                <Td className="font-mono text-xs">{row.line}</Td>
                <Td>{row.name}</Td>
                <Td className="font-mono text-xs">{row.siteCode}</Td>
                <Td>
                  {row.issues.length === 0 ? (
                    <Badge tone="green">{t("importOk")}</Badge>
                  ) : (
                    <ul className="space-y-0.5 text-red-700">
                      {row.issues.map((issue) => (
                        <li key={`${issue.path[0]}-${issue.message}`}>
                          <span className="font-mono text-xs">{issue.path[0]}</span>: {describeIssue(issue, tv)}
                        </li>
                      ))}
                    </ul>
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        </Card>
      )}
    </>
  );
}
