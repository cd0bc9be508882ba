"use client";

import { useTranslations } from "next-intl";
import { Alert, Button } from "./ui";

/** A list or panel that could not load: the reason, and a button to try again. */
export function LoadFailed({
  error,
  onRetry,
  className = "space-y-3 p-4",
}: {
  error: { message: string };
  onRetry: () => unknown;
  className?: string;
}) {
  const tc = useTranslations("common");
  return (
    <div className={className}>
      <Alert>{tc("loadFailed", { message: error.message })}</Alert>
      <Button variant="secondary" onClick={() => onRetry()}>
        {tc("retry")}
      </Button>
    </div>
  );
}
