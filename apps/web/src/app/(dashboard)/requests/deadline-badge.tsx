"use client";

import { useNow, useTranslations } from "next-intl";
import { Badge } from "~/components/ui";

const DAY = 86_400_000;

/** Days left until a request's legal deadline (amber within 3), overdue in red, or closed. */
export function DeadlineBadge({ dueAt, closedAt }: { dueAt: Date | null; closedAt: Date | null }) {
  const t = useTranslations("requests");
  const now = useNow({ updateInterval: 60_000 });
  if (closedAt) return <Badge>{t("closed")}</Badge>;
  if (!dueAt) return null;
  const days = Math.ceil((dueAt.getTime() - now.getTime()) / DAY);
  if (days < 0) return <Badge tone="red">{t("overdue", { days: -days })}</Badge>;
  return <Badge tone={days <= 3 ? "amber" : "green"}>{t("daysLeft", { days })}</Badge>;
}
