"use client";

import { authClient } from "@consentry/auth/client";
import { type OrgRole, type Principal, roleAtLeast } from "@consentry/auth/roles";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { chooseOrganization } from "~/server/preferences";
import { useTRPC } from "~/trpc/react";
import { LanguageSwitch } from "./language-switch";
import { OrgProvider } from "./org-context";
import { Button } from "./ui";

type NavItem = {
  href: string;
  label:
    | "home"
    | "sites"
    | "cameras"
    | "cameraNetworks"
    | "people"
    | "compliance"
    | "requests"
    | "workers"
    | "regulator"
    | "organizations"
    | "networkExceptions"
    | "auditChain"
    | "auditLog"
    | "members"
    | "videoAccess"
    | "security";
};

// Nav links do not prefetch: every dashboard page is rendered per request (force-dynamic), so
// prefetching them all on each page view cost a dozen server renders per click.
function navItems(principal: Principal, activeRole: OrgRole | null): NavItem[] {
  const items: NavItem[] = [];
  if (principal.memberships.length > 0) {
    items.push(
      { href: "/home", label: "home" },
      { href: "/sites", label: "sites" },
      { href: "/cameras", label: "cameras" },
      { href: "/camera-networks", label: "cameraNetworks" },
      { href: "/people", label: "people" },
      { href: "/compliance", label: "compliance" },
      { href: "/requests", label: "requests" },
      // Auditor is the lowest organisation role, so every member reads the log and the register.
      { href: "/audit-log", label: "auditLog" },
      { href: "/video-access", label: "videoAccess" },
    );
    // Owners manage members; managers see the list read-only.
    if (activeRole && roleAtLeast(activeRole, "manager")) items.push({ href: "/members", label: "members" });
    if (activeRole === "owner") items.push({ href: "/security", label: "security" });
  }
  if (principal.regulator) items.push({ href: "/regulator", label: "regulator" });
  if (principal.isPlatformAdmin)
    items.push(
      { href: "/organizations", label: "organizations" },
      { href: "/network-exceptions", label: "networkExceptions" },
      { href: "/audit-chain", label: "auditChain" },
      { href: "/workers", label: "workers" },
    );
  return items;
}

/** The bell: unread notifications in the active organisation, linking to the list (issue #17.2). */
function NotificationBell({ orgId, current }: { orgId: string; current: boolean }) {
  const t = useTranslations("notifications");
  const trpc = useTRPC();
  const count = useQuery({ ...trpc.notifications.unreadCount.queryOptions({ orgId }), refetchInterval: 30_000 });
  const unread = count.data?.unread ?? 0;
  return (
    <Link
      href="/notifications"
      prefetch={false}
      aria-label={t("bellUnread", { count: unread })}
      aria-current={current ? "page" : undefined}
      data-testid="notification-bell"
      className="relative inline-flex h-9 w-9 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900"
    >
      <svg
        aria-hidden="true"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        className="h-5 w-5"
      >
        <path
          strokeLinecap="round"
          strokeLinejoin="round"
          d="M15 17h5l-1.4-1.4A2 2 0 0 1 18 14.2V11a6 6 0 1 0-12 0v3.2a2 2 0 0 1-.6 1.4L4 17h5m6 0a3 3 0 1 1-6 0m6 0H9"
        />
      </svg>
      {unread > 0 && (
        <span
          data-testid="notification-count"
          className="absolute -top-0.5 -right-0.5 min-w-4.5 rounded-full bg-red-600 px-1 text-center text-[11px] leading-4.5 font-semibold text-white"
        >
          {unread > 99 ? "99+" : unread}
        </span>
      )}
    </Link>
  );
}

export function Shell({
  principal,
  activeOrgId,
  children,
}: {
  principal: Principal;
  activeOrgId: string | null;
  children: ReactNode;
}) {
  const t = useTranslations();
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const active = principal.memberships.find((m) => m.orgId === activeOrgId) ?? null;

  async function signOut() {
    await authClient.signOut();
    queryClient.clear();
    router.replace("/sign-in");
    router.refresh();
  }

  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-56 shrink-0 border-r border-slate-200 bg-white md:block">
        <div className="px-5 py-5">
          <Link href="/" prefetch={false} className="text-lg font-semibold text-brand-700">
            Consentry
          </Link>
          <p className="mt-0.5 text-xs text-slate-500">{t("common.tagline")}</p>
        </div>
        <nav className="space-y-0.5 px-3" aria-label="main">
          {navItems(principal, active?.role ?? null).map((item) => {
            const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
            return (
              <Link
                key={item.href}
                prefetch={false}
                href={item.href}
                aria-current={current ? "page" : undefined}
                className={`block rounded-md px-3 py-2 text-sm ${current ? "bg-brand-50 font-medium text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {t(`nav.${item.label}`)}
              </Link>
            );
          })}
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 bg-white px-6 py-3">
          <div className="flex items-center gap-2">
            {principal.memberships.length > 0 && (
              <label className="flex items-center gap-2 text-sm text-slate-600">
                {t("common.organization")}
                <select
                  aria-label={t("common.organization")}
                  value={active?.orgId ?? ""}
                  className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
                  onChange={async (event) => {
                    await chooseOrganization(event.target.value);
                    router.refresh();
                  }}
                >
                  {principal.memberships.map((m) => (
                    <option key={m.orgId} value={m.orgId}>
                      {m.orgName} · {t(`members.roles.${m.role}`)}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <div className="flex items-center gap-3">
            {active && <NotificationBell orgId={active.orgId} current={pathname.startsWith("/notifications")} />}
            <LanguageSwitch />
            <Link
              href="/profile"
              prefetch={false}
              className="text-sm text-slate-600 hover:underline"
              data-testid="signed-in-as"
            >
              {principal.email}
            </Link>
            <Button variant="ghost" onClick={signOut}>
              {t("common.signOut")}
            </Button>
          </div>
        </header>
        <nav
          className="flex gap-1 overflow-x-auto border-b border-slate-200 bg-white px-4 py-2 md:hidden"
          aria-label="mobile"
        >
          {navItems(principal, active?.role ?? null).map((item) => (
            <Link
              key={item.href}
              prefetch={false}
              href={item.href}
              className="rounded-md px-3 py-1.5 text-sm whitespace-nowrap text-slate-700 hover:bg-slate-100"
            >
              {t(`nav.${item.label}`)}
            </Link>
          ))}
        </nav>
        <main className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">
          <OrgProvider value={active}>{children}</OrgProvider>
        </main>
      </div>
    </div>
  );
}
