"use client";

import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Button, Card } from "~/components/ui";

/** A titled block of the site page, with an optional action beside the title. */
export function Section({
  id,
  title,
  action,
  children,
}: {
  /** The anchor the set-up checklist links to. */
  id?: string;
  title: string;
  action?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card>
      <div id={id} className="scroll-mt-4" />
      <div className="flex items-center justify-between gap-3 px-4 pt-4 pb-2">
        <h2 className="text-sm font-semibold">{title}</h2>
        {action}
      </div>
      {children}
    </Card>
  );
}

/** A row's Edit and Delete buttons; Delete asks `confirmText` first. */
export function EditDeleteButtons({
  onEdit,
  onDelete,
  confirmText,
  deleting,
}: {
  onEdit: () => void;
  onDelete: () => void;
  confirmText: string;
  deleting: boolean;
}) {
  const t = useTranslations("registry");
  return (
    <>
      <Button variant="ghost" onClick={onEdit}>
        {t("edit")}
      </Button>
      <Button variant="ghost" disabled={deleting} onClick={() => window.confirm(confirmText) && onDelete()}>
        {t("delete")}
      </Button>
    </>
  );
}
