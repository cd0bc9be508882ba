"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { z } from "zod";
import { type FieldErrors, fieldErrorsFromIssues, fieldErrorsFromServer } from "./form-errors";

/**
 * What every dialog form shares: field errors from the shared zod schema before sending and
 * from the server after, and on success a refresh of what is shown and the dialog closed.
 */
export function useDialogForm(onClose: () => void) {
  const tv = useTranslations("validation");
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  return {
    errors,
    /** For the form's `mutationOptions`. */
    mutationCallbacks: {
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        onClose();
      },
      onError: (error: unknown) => setErrors(fieldErrorsFromServer(error, tv)),
    },
    /** The parsed values, or null once the problems are shown beside their fields. */
    validate<Schema extends z.ZodType>(schema: Schema, values: unknown): z.infer<Schema> | null {
      const parsed = schema.safeParse(values);
      setErrors(parsed.success ? {} : fieldErrorsFromIssues(parsed.error.issues, tv));
      return parsed.success ? parsed.data : null;
    },
  };
}
