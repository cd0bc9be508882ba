"use client";

import { authClient } from "@consentry/auth/client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Modal } from "~/components/modal";
import { Alert, Badge, Button, EmptyState, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

export type SessionRow = {
  id: string;
  userAgent: string | null;
  ipAddress: string | null;
  createdAt: Date;
  lastActiveAt: Date;
};

/** "Chrome on macOS" from a user agent; the full string stays in the tooltip. */
export function deviceName(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const browser =
    [
      ["Edg/", "Edge"],
      ["Firefox/", "Firefox"],
      ["Chrome/", "Chrome"],
      ["Safari/", "Safari"],
    ].find(([marker]) => userAgent.includes(marker as string))?.[1] ?? null;
  const system =
    [
      ["Android", "Android"],
      ["iPhone", "iOS"],
      ["iPad", "iPadOS"],
      ["Windows", "Windows"],
      ["Mac OS X", "macOS"],
      ["Linux", "Linux"],
    ].find(([marker]) => userAgent.includes(marker as string))?.[1] ?? null;
  if (browser && system) return `${browser} · ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}

/** The account's sessions: each one revocable, or all but this one at once. */
export function SessionsList({
  sessions,
  currentSessionId,
}: {
  sessions: SessionRow[];
  currentSessionId: string | null;
}) {
  const t = useTranslations("profile");
  const format = useFormatter();
  const router = useRouter();
  const trpc = useTRPC();
  const [confirmOthers, setConfirmOthers] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const revoke = useMutation(
    trpc.profile.revokeSession.mutationOptions({
      onSuccess: () => router.refresh(),
      onError: (failure) => setError(t("failed", { message: failure.message })),
    }),
  );
  const others = sessions.filter((session) => session.id !== currentSessionId);

  async function revokeOthers() {
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.revokeOtherSessions();
    setPending(false);
    setConfirmOthers(false);
    if (failure) return setError(t("failed", { message: failure.message ?? String(failure.status) }));
    router.refresh();
  }

  const when = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });
  return (
    <div className="space-y-3">
      {error && <Alert>{error}</Alert>}
      {sessions.length === 0 ? (
        <EmptyState title={t("noSessions")} />
      ) : (
        <Table head={[t("device"), t("address"), t("signedIn"), t("lastActive"), ""]}>
          {sessions.map((session) => (
            <tr key={session.id} data-testid="session-row">
              <Td>
                <span title={session.userAgent ?? undefined}>
                  {deviceName(session.userAgent) ?? t("unknownDevice")}
                </span>
                {session.id === currentSessionId && (
                  <span className="ml-2">
                    <Badge tone="blue">{t("thisDevice")}</Badge>
                  </span>
                )}
              </Td>
              <Td>{session.ipAddress ?? "—"}</Td>
              <Td>{when(session.createdAt)}</Td>
              <Td>{when(session.lastActiveAt)}</Td>
              <Td className="text-right">
                {session.id !== currentSessionId && (
                  <Button
                    variant="ghost"
                    disabled={revoke.isPending}
                    onClick={() => revoke.mutate({ sessionId: session.id })}
                  >
                    {t("revoke")}
                  </Button>
                )}
              </Td>
            </tr>
          ))}
        </Table>
      )}
      {others.length > 0 && (
        <Button variant="danger" onClick={() => setConfirmOthers(true)}>
          {t("revokeOthers", { count: others.length })}
        </Button>
      )}
      {confirmOthers && (
        <Modal title={t("revokeOthersTitle")} onClose={() => setConfirmOthers(false)}>
          <p className="mb-4 text-sm text-slate-600">{t("revokeOthersHint", { count: others.length })}</p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setConfirmOthers(false)}>
              {t("cancel")}
            </Button>
            <Button variant="danger" disabled={pending} onClick={revokeOthers}>
              {t("revokeOthersConfirm")}
            </Button>
          </div>
        </Modal>
      )}
    </div>
  );
}
