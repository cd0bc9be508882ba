"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { Button } from "~/components/ui";

/**
 * Pages of a list that pages by cursor: the cursors of the pages walked so far, so Previous goes
 * back without the server counting or skipping rows. `reset` returns to the first page (new
 * filters or sort).
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    next: (cursor: string) => setCursors((walked) => [...walked, cursor]),
    previous: () => setCursors((walked) => walked.slice(0, -1)),
    reset: () => setCursors([]),
  };
}

export function CursorPagination({
  pages,
  nextCursor,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null;
}) {
  const t = useTranslations("common");
  const tc = useTranslations("cameras");
  if (pages.page === 1 && !nextCursor) return null;
  return (
    <nav
      className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm"
      aria-label="pagination"
    >
      <span className="text-slate-600" data-testid="cameras-page">
        {t("pageNumber", { page: pages.page })}
      </span>
      <div className="flex gap-2">
        {pages.page > 2 && (
          <Button variant="secondary" onClick={pages.reset}>
            {tc("firstPage")}
          </Button>
        )}
        <Button variant="secondary" disabled={pages.page === 1} onClick={pages.previous}>
          {t("previous")}
        </Button>
        <Button variant="secondary" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
          {t("next")}
        </Button>
      </div>
    </nav>
  );
}
