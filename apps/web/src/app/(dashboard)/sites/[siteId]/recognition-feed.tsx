"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { Button, EmptyState, Table, Td } from "~/components/ui";
import { dateInputValue } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

/**
 * Recent recognitions at the site, one row per visit (first and last seen, sightings, best
 * score): consenting people by pseudonym, newest visit first, refreshed live, with the visit's
 * snapshot where the site keeps them (other faces blurred; served to operators and up), and how
 * many unknown faces its cameras counted in the last hour (counts are all that exists).
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
        <>
          <p className="px-4 pb-2 text-xs text-slate-500">{t("visitsNote")}</p>
          <Table
            head={[t("firstSeen"), t("lastSeen"), t("person"), t("camera"), t("sightings"), t("score"), t("snapshot")]}
          >
            {items.map((event) => (
              <tr key={event.id} data-testid="recognition-row" data-sightings={event.sightings}>
                <Td className="whitespace-nowrap">
                  {format.dateTime(event.at, { dateStyle: "short", timeStyle: "medium" })}
                </Td>
                <Td className="whitespace-nowrap">
                  {/* The same day in Shanghai: the time says it all. */}
                  {dateInputValue(event.lastSeenAt) === dateInputValue(event.at)
                    ? format.dateTime(event.lastSeenAt, { timeStyle: "medium" })
                    : format.dateTime(event.lastSeenAt, { dateStyle: "short", timeStyle: "medium" })}
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
                <Td>{format.number(event.sightings)}</Td>
                <Td>{event.score.toFixed(2)}</Td>
                <Td>
                  {event.hasSnapshot ? (
                    <Snapshot
                      url={`/api/recognition/${event.id}/snapshot?orgId=${orgId}`}
                      person={event.pseudonym ?? t("erased")}
                      camera={event.cameraName}
                    />
                  ) : (
                    <span className="text-slate-400">{t("noSnapshot")}</span>
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        </>
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

/** A visit's snapshot as a thumbnail that opens full size; loaded only when scrolled to. */
function Snapshot({ url, person, camera }: { url: string; person: string; camera: string }) {
  const t = useTranslations("recognition");
  return (
    <a href={url} target="_blank" rel="noreferrer" aria-label={t("openSnapshot", { person })}>
      {/* biome-ignore lint/performance/noImgElement: a private picture; Next's optimiser would fetch it without the session */}
      <img
        src={url}
        alt={t("snapshotAlt", { person, camera })}
        loading="lazy"
        data-testid="recognition-snapshot"
        className="h-10 w-[72px] rounded object-cover ring-1 ring-slate-200"
      />
    </a>
  );
}
