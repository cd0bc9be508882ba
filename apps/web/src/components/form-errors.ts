import { TRPCClientError } from "@trpc/client";
import type { useTranslations } from "next-intl";
import type { z } from "zod";

type Translate = ReturnType<typeof useTranslations<"validation">>;
/** A zod issue, or an issue shaped like one (the API's CSV row problems). */
type Issue = Pick<z.core.$ZodIssue, "path" | "message"> & {
  code: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
};

/** A translated, human message for one zod issue (the same on client and server). */
export function describeIssue(issue: Issue, t: Translate): string {
  // Custom messages from the shared schemas and the API (`{ error: "regionCode" }`) are message keys.
  if (t.has(issue.message as "invalid")) return t(issue.message as "invalid");
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
    const fieldError = error.data?.fieldError as { field: string; reason: string } | null | undefined;
    if (fieldError) return { [fieldError.field]: t(fieldError.reason as "duplicateName") };
    return { form: error.message };
  }
  return { form: error instanceof Error ? error.message : String(error) };
}
