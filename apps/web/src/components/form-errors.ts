import { TRPCClientError } from "@trpc/client";
import type { useTranslations } from "next-intl";
import type { z } from "zod";

type Translate = ReturnType<typeof useTranslations<"validation">>;
type Issue = Pick<z.core.$ZodIssue, "code" | "path" | "message"> & {
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
};

// Custom messages set in the shared schemas (`{ error: "regionCode" }`) are message keys.
const MESSAGE_KEYS = new Set(["regionCode", "slug"]);

/** A translated, human message for one zod issue (the same on client and server). */
export function describeIssue(issue: Issue, t: Translate): string {
  if (MESSAGE_KEYS.has(issue.message)) return t(issue.message as "regionCode" | "slug");
  const isText = issue.origin === "string";
  switch (issue.code) {
    case "too_small":
      return isText ? t("tooShort", { min: Number(issue.minimum) }) : t("tooSmall", { min: Number(issue.minimum) });
    case "too_big":
      return isText ? t("tooLong", { max: Number(issue.maximum) }) : t("tooBig", { max: Number(issue.maximum) });
    case "invalid_value":
      return t("choose");
    case "invalid_type":
      return issue.message.includes("number") ? t("number") : t("invalid");
    default:
      return t("invalid");
  }
}

export type FieldErrors = Record<string, string>;

export function fieldErrorsFromIssues(issues: readonly Issue[], t: Translate): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= describeIssue(issue, t);
  }
  return errors;
}

/** Field errors carried by a failed tRPC mutation, or a form-level message. */
export function fieldErrorsFromServer(error: unknown, t: Translate): FieldErrors {
  if (error instanceof TRPCClientError) {
    const issues = error.data?.zodIssues as Issue[] | null | undefined;
    if (issues?.length) return fieldErrorsFromIssues(issues, t);
    const conflict = error.data?.conflict as { field: string; reason: string } | null | undefined;
    if (conflict) return { [conflict.field]: t(conflict.reason as "duplicateName") };
    return { form: error.message };
  }
  return { form: error instanceof Error ? error.message : String(error) };
}
