"use client";

import { useTranslations } from "next-intl";
import { Button } from "./ui";

/** Cancel and Save at the foot of a dialog form. */
export function FormActions({
  onCancel,
  pending,
  disabled,
}: {
  onCancel: () => void;
  pending: boolean;
  disabled?: boolean;
}) {
  const tc = useTranslations("common");
  return (
    <div className="flex justify-end gap-2 pt-2">
      <Button variant="secondary" onClick={onCancel}>
        {tc("cancel")}
      </Button>
      <Button type="submit" disabled={pending || disabled}>
        {pending ? tc("saving") : tc("save")}
      </Button>
    </div>
  );
}
