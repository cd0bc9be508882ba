"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { Card, EmptyState } from "./ui";

/** The API's answer for an id that is not the caller's organisation's (or does not exist). */
export const isNotFound = (error: { data?: { code?: string } | null } | null) => error?.data?.code === "NOT_FOUND";

/**
 * What a detail page shows for such an id: the same words in every language whatever the
 * record was, so another organisation's id tells nothing, and the way back.
 */
export function NotFoundCard({ backHref, backLabel }: { backHref: string; backLabel: string }) {
  const t = useTranslations("errors");
  return (
    <Card>
      <EmptyState
        title={t("notFoundTitle")}
        body={t("notFoundBody")}
        action={
          <Link href={backHref} className="text-brand-700 hover:underline">
            ← {backLabel}
          </Link>
        }
      />
    </Card>
  );
}
