"use client";

import { useFormatter, useTranslations } from "next-intl";

/** Params that hold an ISO date: shown in the reader's language, in Shanghai time. */
const DATE_PARAMS = new Set(["since", "until", "dueAt", "startedAt"]);

/** A notification's sentence from its kind and params, in the user's language. */
export function useNotificationText() {
  const t = useTranslations("notifications");
  const format = useFormatter();
  return (kind: string, params: Record<string, unknown>) => {
    const values: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(params)) {
      if (value === null || value === undefined) values[key] = "";
      else if (DATE_PARAMS.has(key) && typeof value === "string") {
        const date = new Date(value);
        values[key] = Number.isNaN(date.getTime())
          ? value
          : format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });
      } else values[key] = typeof value === "number" ? value : String(value);
    }
    if (kind === "request_received" && typeof params.type === "string" && t.has(`requestTypes.${params.type}`)) {
      values.type = t(`requestTypes.${params.type}`);
    }
    if (!values.site) values.site = t("organisation");
    return t.has(`kinds.${kind}.text`) ? t(`kinds.${kind}.text`, values) : kind;
  };
}
