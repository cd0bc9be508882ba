import { getFormatter, getTranslations } from "next-intl/server";
import { Alert, Badge, Card, EmptyState, PageHeader, Table, Td } from "~/components/ui";
import { AreaGuard } from "~/server/guard";
import { stuckJobsOverview, workersOverview } from "~/server/workers";

type Capacity = NonNullable<Awaited<ReturnType<typeof workersOverview>>["capacity"]>;

/** Cameras with face recognition on against the live workers' slots, and who waits for one. */
async function CapacitySection({ capacity }: { capacity: Capacity | null }) {
  const t = await getTranslations("workers");
  if (!capacity) {
    return (
      <div className="mb-6">
        <Alert tone="amber">{t("capacityUnknown")}</Alert>
      </div>
    );
  }
  const figures = [
    { key: "analysed", label: t("capacityAnalysed"), value: capacity.analysed, tone: "green" as const },
    { key: "waiting", label: t("capacityWaiting"), value: capacity.waiting, tone: "amber" as const },
    { key: "retrying", label: t("capacityRetrying"), value: capacity.retrying, tone: "red" as const },
    { key: "slots", label: t("capacitySlots"), value: capacity.slots, tone: "neutral" as const },
  ];
  return (
    <>
      <h2 className="mb-2 text-sm font-semibold">{t("capacityTitle")}</h2>
      <Card className="mb-6">
        <dl className="flex flex-wrap gap-x-8 gap-y-2 px-4 py-3 text-sm" data-testid="inference-capacity">
          {figures.map((figure) => (
            <div key={figure.key} data-testid={`capacity-${figure.key}`} data-value={figure.value}>
              <dt className="text-xs text-slate-500">{figure.label}</dt>
              <dd className="mt-0.5">
                {figure.value > 0 && figure.key !== "slots" ? (
                  <Badge tone={figure.tone}>{figure.value}</Badge>
                ) : (
                  figure.value
                )}
              </dd>
            </div>
          ))}
        </dl>
        {capacity.waiting > 0 && (
          <>
            <p className="px-4 pb-3 text-sm text-amber-800">{t("capacityAdvice")}</p>
            <Table head={[t("camera"), t("site"), t("organization")]}>
              {capacity.waitingCameras.map((camera) => (
                <tr key={camera.id} data-testid="waiting-camera">
                  <Td>{camera.name}</Td>
                  <Td>{camera.siteName}</Td>
                  <Td>{camera.orgName}</Td>
                </tr>
              ))}
            </Table>
            {capacity.moreWaiting > 0 && (
              <p className="px-4 py-3 text-sm text-slate-500" data-testid="waiting-more">
                {t("capacityMore", { count: capacity.moreWaiting })}
              </p>
            )}
          </>
        )}
      </Card>
    </>
  );
}

type StuckJobs = Awaited<ReturnType<typeof stuckJobsOverview>>;

/** Outbox rows that have not reached their queue and erasures that keep failing: what an operator must see. */
async function StuckJobsSection({ stuck }: { stuck: StuckJobs | null }) {
  const t = await getTranslations("outbox");
  const format = await getFormatter();
  const when = (at: Date | number | null) =>
    at === null ? "—" : format.dateTime(new Date(at), { dateStyle: "short", timeStyle: "medium" });
  if (!stuck) return null;
  const { outbox, erasures } = stuck;
  const clear = outbox.total === 0 && erasures?.length === 0;
  return (
    <>
      <h2 className="mb-2 text-sm font-semibold">{t("title")}</h2>
      <div data-testid="stuck-jobs">
        <Card className="mb-6">
          {clear && <p className="px-4 py-3 text-sm text-slate-500">{t("allClear")}</p>}
          {outbox.total > 0 && (
            <>
              <p className="px-4 pt-3 text-sm font-medium text-amber-800">
                {t("pendingTitle", { count: outbox.total })}
              </p>
              <p className="px-4 pb-2 text-sm text-slate-500">{t("pendingAdvice")}</p>
              <Table head={[t("kind"), t("reference"), t("since"), t("attempts"), t("lastError")]}>
                {outbox.rows.map((row) => (
                  <tr key={row.id} data-testid="stuck-outbox-row">
                    <Td>{t(`kinds.${row.kind}`)}</Td>
                    <Td className="font-mono">{row.referenceCode ?? "—"}</Td>
                    <Td>{when(row.createdAt)}</Td>
                    <Td>{row.attempts}</Td>
                    <Td className="max-w-md truncate text-slate-500">{row.lastError ?? "—"}</Td>
                  </tr>
                ))}
              </Table>
              {outbox.total > outbox.rows.length && (
                <p className="px-4 py-3 text-sm text-slate-500">
                  {t("more", { count: outbox.total - outbox.rows.length })}
                </p>
              )}
            </>
          )}
          {erasures === undefined && <Alert tone="amber">{t("erasuresUnknown")}</Alert>}
          {erasures && erasures.length > 0 && (
            <>
              <p className="px-4 pt-3 pb-2 text-sm font-medium text-red-800">
                {t("erasuresTitle", { count: erasures.length })}
              </p>
              <Table head={[t("kind"), t("reference"), t("state"), t("attempts"), t("next"), t("lastError")]}>
                {erasures.map((job) => (
                  <tr key={job.jobId} data-testid="stuck-erasure">
                    <Td>{t(job.requestId ? "kinds.erase" : "kinds.deleteTemplates")}</Td>
                    <Td className="font-mono">{job.referenceCode ?? "—"}</Td>
                    <Td>
                      <Badge tone={job.state === "failed" ? "red" : "amber"}>{t(job.state)}</Badge>
                    </Td>
                    <Td>{`${job.attemptsMade} / ${job.attempts}`}</Td>
                    <Td>{when(job.at)}</Td>
                    <Td className="max-w-md truncate text-slate-500">{job.failedReason ?? "—"}</Td>
                  </tr>
                ))}
              </Table>
            </>
          )}
        </Card>
      </div>
    </>
  );
}

async function WorkerList() {
  const t = await getTranslations("workers");
  const format = await getFormatter();
  const [overview, stuck] = await Promise.all([
    workersOverview().catch(() => null),
    stuckJobsOverview().catch(() => null),
  ]);
  if (!overview) {
    return (
      <>
        <Alert>{t("redisDown")}</Alert>
        <div className="mt-6">
          <StuckJobsSection stuck={stuck} />
        </div>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <a href="/admin/queues" className="text-sm font-medium text-brand-700 hover:underline">
            {t("queueUi")}
          </a>
        }
      />
      <Card className="mb-6">
        <Table head={[t("queue"), t("count"), t("waiting"), t("active"), t("delayed"), t("failed")]}>
          {overview.queues.map((queue) => (
            <tr key={queue.queue} data-testid="queue-row">
              <Td className="font-mono">{queue.queue}</Td>
              <Td>
                {queue.workers > 0 ? (
                  <Badge tone="green">{queue.workers}</Badge>
                ) : (
                  <Badge tone="red">{t("none")}</Badge>
                )}
              </Td>
              <Td>{queue.waiting}</Td>
              <Td>{queue.active}</Td>
              <Td>{queue.delayed}</Td>
              <Td>{queue.failed > 0 ? <Badge tone="amber">{queue.failed}</Badge> : 0}</Td>
            </tr>
          ))}
        </Table>
      </Card>
      <StuckJobsSection stuck={stuck} />
      <CapacitySection capacity={overview.capacity} />
      <h2 className="mb-2 text-sm font-semibold">{t("inference")}</h2>
      {overview.workers.length === 0 ? (
        <Card>
          <EmptyState title={t("noInference")} body={t("startWorker")} />
        </Card>
      ) : (
        overview.workers.map((worker) => {
          const fallingBehind = worker.cameras.filter((camera) => camera.fallsBehind).length;
          return (
            <Card key={worker.id} className="mb-4">
              <div className="flex flex-wrap gap-x-6 gap-y-1 px-4 pt-4 pb-2 text-sm" data-testid="inference-worker">
                <span className="font-mono font-medium">{worker.id}</span>
                <span>{t("host", { host: worker.host })}</span>
                <span>{t("memory", { mb: worker.memoryMb })}</span>
                <span>{t("capacity", { used: worker.cameras.length, max: worker.maxCameras })}</span>
                <span className="text-slate-500">{worker.modelId}</span>
                <span className="text-slate-500">
                  {t("since", {
                    date: format.dateTime(new Date(worker.startedAt), { dateStyle: "short", timeStyle: "short" }),
                  })}
                </span>
              </div>
              {fallingBehind > 0 && (
                <div className="px-4 pb-2" data-testid="cameras-falling-behind">
                  <Alert tone="amber">{t("fallingBehind", { count: fallingBehind })}</Alert>
                </div>
              )}
              {worker.cameras.length === 0 ? (
                <p className="px-4 pb-4 text-sm text-slate-500">{t("idle")}</p>
              ) : (
                <Table head={[t("camera"), t("fps"), t("dropped"), t("latency"), t("recognitions"), t("unknown")]}>
                  {worker.cameras.map((camera) => (
                    <tr key={camera.cameraId} data-testid="analysed-camera">
                      <Td>{camera.name}</Td>
                      <Td>{camera.fps}</Td>
                      <Td>
                        <span data-testid="dropped-frames">
                          {camera.droppedShare == null
                            ? camera.framesDropped
                            : t("droppedValue", {
                                total: camera.framesDropped,
                                share: format.number(camera.droppedShare, {
                                  style: "percent",
                                  maximumFractionDigits: 1,
                                }),
                              })}
                          {camera.fallsBehind && (
                            <>
                              {" "}
                              <Badge tone="amber">{t("fallsBehind")}</Badge>
                            </>
                          )}
                        </span>
                      </Td>
                      <Td>
                        {camera.latencyP50Ms === null
                          ? "—"
                          : `${Math.round(camera.latencyP50Ms)} / ${Math.round(camera.latencyP95Ms ?? 0)} ms`}
                      </Td>
                      <Td>{camera.recognitions}</Td>
                      <Td>{camera.unknownFaces}</Td>
                    </tr>
                  ))}
                </Table>
              )}
            </Card>
          );
        })
      )}
    </>
  );
}

export default function WorkersPage() {
  return (
    <AreaGuard area="admin">
      <WorkerList />
    </AreaGuard>
  );
}
