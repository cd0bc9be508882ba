"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTranslations } from "next-intl";
import { useDeferredValue, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import { Alert, Badge, Button, Card, EmptyState, Input, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { PersonForm } from "./person-form";

const PAGE_SIZE = 25;

export function PeopleView() {
  const t = useTranslations("people");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const [search, setSearch] = useState("");
  const deferred = useDeferredValue(search.trim());
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  // In the URL, so the "new photos needed" notification can open the filtered list.
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const recapture = params.get("recapture") === "1";
  const canSee = roleAtLeast(org.role, "operator");
  const people = useQuery({
    ...trpc.subjects.list.queryOptions({
      orgId: org.orgId,
      page,
      pageSize: PAGE_SIZE,
      search: deferred || undefined,
      recapture: recapture || undefined,
    }),
    enabled: canSee,
    placeholderData: keepPreviousData,
  });
  if (!canSee) return <EmptyState title={tc("noAccessTitle")} body={tc("noAccessBody")} />;

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={roleAtLeast(org.role, "manager") && <Button onClick={() => setAdding(true)}>{t("add")}</Button>}
      />
      <Card>
        <div className="flex flex-wrap items-center gap-4 border-b border-slate-100 px-4 py-3">
          <Input
            type="search"
            aria-label={t("search")}
            placeholder={t("search")}
            className="max-w-60"
            value={search}
            maxLength={40}
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
          />
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input
              type="checkbox"
              checked={recapture}
              onChange={(event) => {
                router.replace(event.target.checked ? `${pathname}?recapture=1` : pathname, { scroll: false });
                setPage(1);
              }}
            />
            {t("needsPhotoFilter")}
          </label>
        </div>
        {people.isError ? (
          <div className="p-4">
            <Alert>{tc("loadFailed", { message: people.error.message })}</Alert>
          </div>
        ) : people.data?.items.length === 0 ? (
          <EmptyState title={recapture ? t("emptyRecapture") : t("empty")} />
        ) : (
          <Table head={[t("pseudonym"), t("name"), t("activeConsents"), t("templates")]}>
            {!people.data ? (
              <SkeletonRows columns={4} />
            ) : (
              people.data.items.map((person) => (
                <tr key={person.id} data-testid="person-row">
                  <Td>
                    <Link href={`/people/${person.id}`} className="font-mono text-brand-700 hover:underline">
                      {person.pseudonym}
                    </Link>
                  </Td>
                  <Td>
                    {person.displayName} {person.isMinor && <Badge tone="amber">{t("minor")}</Badge>}
                  </Td>
                  <Td>{person.activeConsents}</Td>
                  <Td>
                    {person.templates}{" "}
                    {person.recaptureSites > 0 && (
                      <Badge tone="amber" title={t("needsPhotoHint", { count: person.recaptureSites })}>
                        {t("needsPhoto")}
                      </Badge>
                    )}
                  </Td>
                </tr>
              ))
            )}
          </Table>
        )}
        {people.data && <Pagination page={page} pageSize={PAGE_SIZE} total={people.data.total} onPage={setPage} />}
      </Card>
      {adding && <PersonForm onClose={() => setAdding(false)} />}
    </>
  );
}
