import type { ReactNode } from "react";
import { Card } from "./ui";

export type ChecklistStep = { key: string; done: boolean; label: string; action: ReactNode };

/**
 * A titled list of steps, each ticked from the data and, while open, with where it is done:
 * a new organisation's first steps and a new site's set-up.
 */
export function Checklist(props: {
  id: string;
  title: string;
  subtitle: string;
  doneLabel: string;
  todoLabel: string;
  steps: ChecklistStep[];
  className?: string;
}) {
  return (
    <Card className={props.className}>
      <section aria-labelledby={`${props.id}-title`} className="px-5 py-4" data-testid={props.id}>
        <h2 id={`${props.id}-title`} className="text-base font-semibold">
          {props.title}
        </h2>
        <p className="mt-0.5 text-sm text-slate-600">{props.subtitle}</p>
        <ol className="mt-3 space-y-2">
          {props.steps.map(({ key, done, label, action }, index) => (
            <li key={key} className="flex items-start gap-3 text-sm" data-done={done}>
              <span
                aria-hidden
                className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs ${done ? "bg-emerald-600 text-white" : "border border-slate-300 text-slate-500"}`}
              >
                {done ? "✓" : index + 1}
              </span>
              <span className={done ? "text-slate-500 line-through" : "text-slate-800"}>
                <span className="sr-only">{done ? props.doneLabel : props.todoLabel} </span>
                {label}
                {!done && <span className="ml-2 text-slate-500">{action}</span>}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </Card>
  );
}
