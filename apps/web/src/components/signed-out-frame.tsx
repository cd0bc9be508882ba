import type { ReactNode } from "react";
import { LanguageSwitch } from "./language-switch";

const WIDTHS = { sm: "max-w-sm", md: "max-w-md", lg: "max-w-lg" } as const;

/** The card every page without the dashboard sits in: sign-in, SSO, password reset, invitations, two-factor set-up. */
export function SignedOutFrame({
  children,
  width = "sm",
  tagline,
}: {
  children: ReactNode;
  width?: keyof typeof WIDTHS;
  tagline?: string;
}) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-10">
      <div className="absolute top-4 right-4">
        <LanguageSwitch />
      </div>
      <div className={`w-full ${WIDTHS[width]}`}>
        <p className={`${tagline ? "" : "mb-6 "}text-center text-xl font-semibold text-brand-700`}>Consentry</p>
        {tagline && <p className="mb-6 text-center text-sm text-slate-500">{tagline}</p>}
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs">{children}</div>
      </div>
    </div>
  );
}
