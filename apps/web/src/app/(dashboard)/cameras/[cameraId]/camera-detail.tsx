"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { type ReactNode, useState } from "react";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CameraFormDialog } from "../camera-form";
import { InferenceBadge, STATUS_TONE } from "../cameras-table";
import { LiveView } from "./live-view";
import { VideoAccessPanel } from "./video-access-panel";

function Fact({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div className={className}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export function CameraDetail({ cameraId }: { cameraId: string }) {
  const t = useTranslations("cameras");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const canEdit = roleAtLeast(org.role, "manager");
  const [editing, setEditing] = useState(false);
  const camera = useQuery({
    ...trpc.cameras.byId.queryOptions({ orgId: org.orgId, cameraId }),
    refetchInterval: 10_000,
  });
  const invalidate = () => queryClient.invalidateQueries(trpc.cameras.pathFilter());
  const setEnabled = useMutation(trpc.cameras.setEnabled.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(
    trpc.cameras.delete.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        router.push("/cameras");
      },
    }),
  );

  if (camera.isError) {
    return isNotFound(camera.error) ? (
      <NotFoundCard backHref="/cameras" backLabel={t("back")} />
    ) : (
      <Alert>{tc("loadFailed", { message: camera.error.message })}</Alert>
    );
  }
  if (!camera.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  const c = camera.data;
  const actionError = setEnabled.error ?? remove.error;

  return (
    <>
      <Link href="/cameras" className="text-sm text-brand-700 hover:underline">
        ← {t("back")}
      </Link>
      <PageHeader
        title={c.name}
        subtitle={`${c.siteName}${c.entryPointName ? ` · ${c.entryPointName}` : ""}`}
        actions={
          canEdit && (
            <div className="flex gap-2">
              <Button variant="secondary" onClick={() => setEditing(true)}>
                {tc("edit")}
              </Button>
              <Button
                variant="secondary"
                disabled={setEnabled.isPending}
                onClick={() => {
                  if (c.disabledAt || window.confirm(t("confirmDisable", { name: c.name }))) {
                    setEnabled.mutate({ orgId: org.orgId, cameraId, enabled: Boolean(c.disabledAt) });
                  }
                }}
              >
                {c.disabledAt ? t("enable") : t("disable")}
              </Button>
              <Button
                variant="danger"
                disabled={remove.isPending}
                onClick={() =>
                  window.confirm(t("confirmDelete", { name: c.name })) && remove.mutate({ orgId: org.orgId, cameraId })
                }
              >
                {t("delete")}
              </Button>
            </div>
          )
        }
      />
      {actionError && (
        <div className="mb-4">
          <Alert>{actionError.message}</Alert>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-5">
        <div className="space-y-6 lg:col-span-3">
          <Card className="p-4">
            <h2 className="mb-3 text-sm font-semibold">{t("live")}</h2>
            {c.disabledAt ? (
              <p className="text-sm text-slate-500">{t("liveDisabled")}</p>
            ) : roleAtLeast(org.role, "operator") ? (
              <LiveView cameraId={cameraId} />
            ) : (
              <p className="text-sm text-slate-500">{t("liveNeedsOperator")}</p>
            )}
          </Card>
          <Card>
            <h2 className="px-4 pt-4 text-sm font-semibold">{t("history")}</h2>
            {c.history.length === 0 ? (
              <EmptyState title={t("noHistory")} />
            ) : (
              <Table head={[t("status"), t("lastProbed"), t("latency"), ""]}>
                {c.history.map((event) => (
                  <tr key={`${event.at.toISOString()}-${event.status}`} data-testid="status-event">
                    <Td>
                      <Badge tone={STATUS_TONE[event.status]}>{t(`statuses.${event.status}`)}</Badge>
                    </Td>
                    <Td className="whitespace-nowrap text-slate-600">
                      {format.dateTime(event.at, { dateStyle: "medium", timeStyle: "medium" })}
                    </Td>
                    <Td className="text-slate-600">{event.probeLatencyMs ?? "—"} ms</Td>
                    <Td className="text-slate-500">{event.detail}</Td>
                  </tr>
                ))}
              </Table>
            )}
          </Card>
          <VideoAccessPanel orgId={org.orgId} cameraId={cameraId} />
        </div>
        <Card className="h-fit p-4 lg:col-span-2">
          <h2 className="mb-3 text-sm font-semibold">{t("details")}</h2>
          <dl className="grid grid-cols-2 gap-4">
            <Fact label={t("status")}>
              {c.disabledAt ? (
                <Badge>{t("disabled")}</Badge>
              ) : (
                <Badge tone={STATUS_TONE[c.status]}>
                  <span data-testid="camera-status">{t(`statuses.${c.status}`)}</span>
                </Badge>
              )}
            </Fact>
            <Fact label={t("lastSeen")}>{c.lastSeenAt ? format.relativeTime(c.lastSeenAt) : tc("never")}</Fact>
            <Fact label={t("site")}>
              <Link href={`/sites/${c.siteId}`} className="text-brand-700 hover:underline">
                {c.siteName}
              </Link>
            </Fact>
            <Fact label={t("location")}>{t(`locations.${c.locationType}`)}</Fact>
            <Fact label={t("fr")}>{c.frEnabled ? t("frOn") : t("frOff")}</Fact>
            {c.inference ? (
              <Fact label={t("inference")} className="col-span-2">
                <InferenceBadge state={c.inference} waiting={c.waitingForWorker} explained />
              </Fact>
            ) : (
              // Face recognition on but no state: Redis did not answer (an archived site's camera has none).
              c.frEnabled &&
              !c.disabledAt &&
              c.waitingForWorker === null && (
                <Fact label={t("inference")} className="col-span-2">
                  <span className="text-slate-500">{t("inferenceUnknown")}</span>
                </Fact>
              )
            )}
            <Fact label={t("fps")}>{c.analysisFps}</Fact>
            <Fact label={t("codec")}>{c.probeCodec ?? "—"}</Fact>
            <Fact label={t("resolution")}>
              {c.probeWidth
                ? t("resolutionValue", { width: c.probeWidth, height: c.probeHeight ?? 0, fps: c.probeFps ?? "?" })
                : "—"}
            </Fact>
            <Fact label={t("latency")}>{c.probeLatencyMs != null ? `${c.probeLatencyMs} ms` : "—"}</Fact>
            <Fact label={t("lastProbed")}>{c.lastProbedAt ? format.relativeTime(c.lastProbedAt) : tc("never")}</Fact>
          </dl>
          <div className="mt-4">
            <Fact label={t("rtspUrl")}>
              <span className="font-mono text-xs break-all">{c.rtspUrlMasked}</span>
            </Fact>
          </div>
        </Card>
      </div>
      {editing && <CameraFormDialog camera={c} onClose={() => setEditing(false)} />}
    </>
  );
}
