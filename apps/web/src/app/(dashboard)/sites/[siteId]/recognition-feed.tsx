"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { Button, EmptyState, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

/**
 * Recent recognitions at the site: consenting people by pseudonym, newest first, refreshed live,
 * and how many unknown faces its cameras counted in the last hour (counts are all that exists).
 */
export function RecognitionFeed({ siteId }: { siteId: string }) {
  const t = useTranslations("recognition");
  const format = useFormatter();
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const feed = useInfiniteQuery({
    ...trpc.recognition.feed.infiniteQueryOptions({ orgId, siteId }, { getNextPageParam: (page) => page.nextBefore }),
    refetchInterval: 5000,
  });
  const items = feed.data?.pages.flatMap((page) => page.items) ?? [];
  const unknownLastHour = feed.data?.pages[0]?.unknownFacesLastHour;
  return (
    <Section title={t("title")}>
      {unknownLastHour !== undefined && (
        <p
          className="px-4 pb-2 text-sm text-slate-600"
          data-testid="unknown-faces-last-hour"
          data-count={unknownLastHour}
        >
          {t("unknownLastHour", { count: format.number(unknownLastHour) })}
        </p>
      )}
      {feed.isSuccess && items.length === 0 ? (
        <EmptyState title={t("empty")} body={t("emptyBody")} />
      ) : (
        <Table head={[t("time"), t("person"), t("camera"), t("score")]}>
          {items.map((event) => (
            <tr key={event.id} data-testid="recognition-row">
              <Td className="whitespace-nowrap">
                {format.dateTime(event.at, { dateStyle: "short", timeStyle: "medium" })}
              </Td>
              <Td>
                {event.subjectId ? (
                  <Link href={`/people/${event.subjectId}`} className="font-mono text-brand-700 hover:underline">
                    {event.pseudonym}
                  </Link>
                ) : (
                  t("erased")
                )}
              </Td>
              <Td>{event.cameraName}</Td>
              <Td>{event.score.toFixed(2)}</Td>
            </tr>
          ))}
        </Table>
      )}
      {feed.hasNextPage && (
        <div className="p-3 text-center">
          <Button variant="ghost" disabled={feed.isFetchingNextPage} onClick={() => feed.fetchNextPage()}>
            {t("more")}
          </Button>
        </div>
      )}
    </Section>
  );
}
