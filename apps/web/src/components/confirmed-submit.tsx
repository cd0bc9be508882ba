"use client";

import { useState } from "react";
import { Button } from "./ui";

/**
 * The end of a form for something that cannot be undone: a box to tick ("I understand …"),
 * Cancel, and a submit button that stays disabled until the box is ticked.
 */
export function ConfirmedSubmit(props: {
  confirmLabel: string;
  cancelLabel: string;
  submitLabel: string;
  pending: boolean;
  onCancel: () => void;
}) {
  const [confirmed, setConfirmed] = useState(false);
  return (
    <>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 size-4"
          checked={confirmed}
          onChange={(event) => setConfirmed(event.target.checked)}
        />
        {props.confirmLabel}
      </label>
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={props.onCancel}>
          {props.cancelLabel}
        </Button>
        <Button type="submit" disabled={!confirmed || props.pending}>
          {props.submitLabel}
        </Button>
      </div>
    </>
  );
}
