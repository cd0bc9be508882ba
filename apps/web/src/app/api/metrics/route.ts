import { env } from "@consentry/env";
import { Counter, Gauge, Registry } from "prom-client";
import { workersOverview } from "~/server/workers";
import { refuseMetricsScrape } from "./authorize";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics: queue depths, workers, inference capacity (cameras analysed, waiting for a
 * worker, retrying a failing stream), and per analysed camera its frame rate, dropped frames (and
 * the share of the last 10 s dropped: above 1 % it cannot keep up) and inference latency, and per worker the recognition event batches written, retried and dropped.
 * Counts only; nothing about a face. Scrapers send CONSENTRY_METRICS_TOKEN as a bearer token; it
 * is required in production (./authorize.ts).
 */
export async function GET(request: Request) {
  const refusal = refuseMetricsScrape(request.headers.get("authorization"), {
    token: env.CONSENTRY_METRICS_TOKEN,
    production: env.APP_ENV === "production",
  });
  if (refusal) return refusal;
  const overview = await workersOverview().catch(() => null);
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `consentry_${name}`, help, labelNames, registers: [registry] });
  // A worker's running totals, as its heartbeat reports them; they restart at 0 with the worker.
  const counter = (name: string, help: string) =>
    new Counter({ name: `consentry_${name}`, help, labelNames: ["worker"], registers: [registry] });

  gauge("up", "1 when Redis answered and the figures below are current").set(overview ? 1 : 0);
  if (overview) {
    const jobs = gauge("queue_jobs", "Jobs in a queue by state", ["queue", "state"]);
    const queueWorkers = gauge("queue_workers", "Worker processes attached to a queue", ["queue"]);
    for (const queue of overview.queues) {
      queueWorkers.set({ queue: queue.queue }, queue.workers);
      for (const state of ["waiting", "active", "delayed", "failed"] as const) {
        jobs.set({ queue: queue.queue, state }, queue[state]);
      }
    }
    gauge("inference_workers", "Live inference workers").set(overview.workers.length);
    if (overview.capacity) {
      const { analysed, waiting, retrying, slots } = overview.capacity;
      gauge("cameras_waiting_for_worker", "Cameras with face recognition on that wait for a free inference slot").set(
        waiting,
      );
      gauge("cameras_analysed", "Cameras with face recognition on that an inference worker analyses now").set(analysed);
      gauge("cameras_stream_retrying", "Cameras with face recognition on whose stream fails and is retried").set(
        retrying,
      );
      gauge("inference_slots", "Cameras the live inference workers can analyse at once, in all").set(slots);
    }
    const memory = gauge("inference_worker_memory_bytes", "Resident memory of an inference worker", ["worker"]);
    const capacity = gauge("inference_worker_cameras", "Cameras analysed by a worker, and its maximum", [
      "worker",
      "kind",
    ]);
    const camera = (name: string, help: string) => gauge(`camera_${name}`, help, ["camera", "worker"]);
    const fps = camera("analysis_fps", "Frames analysed per second over the last 10 s");
    const analysed = camera("frames_analysed", "Frames analysed since the lease began");
    const dropped = camera("frames_dropped", "Frames dropped because analysis was busy, since the lease began");
    const unchanged = camera(
      "frames_unchanged",
      "Frames analysed without face detection because they looked like the last one detected on, since the lease began",
    );
    const droppedRatio = camera(
      "dropped_frame_ratio",
      "Share of the frames that arrived in the last 10 s and were dropped; above 0.01 the camera cannot keep up",
    );
    const latency = gauge("camera_inference_latency_ms", "Per-frame analysis latency", [
      "camera",
      "worker",
      "quantile",
    ]);
    const recognitions = camera("recognitions", "Recognition events since the lease began");
    const unknown = camera("unknown_faces", "Faces that matched nobody (counted, never kept)");
    const writtenBatches = counter("event_batches_written_total", "Recognition event batches written");
    const failedWrites = counter("event_write_failures_total", "Failed event batch inserts, each retried");
    const pendingBatches = gauge("event_batches_pending", "Event batches buffered for a retry", ["worker"]);
    const droppedBatches = counter(
      "dropped_event_batches_total",
      "Event batches given up on (buffer full during a long database outage, or unwritten at shutdown)",
    );
    const droppedEvents = counter("dropped_recognition_events_total", "Recognition events in the dropped batches");
    const withheld = counter(
      "withheld_recognition_events_total",
      "Recognition events not written because the worker had lost the camera's lease",
    );
    const gone = counter(
      "skipped_recognition_events_total",
      "Recognition events not written because their template was deleted or their person erased meanwhile",
    );
    for (const worker of overview.workers) {
      memory.set({ worker: worker.id }, worker.memoryMb * 1048576);
      // Heartbeats of workers older than the event writer's counters carry none.
      const writer = (worker as { events?: Partial<Record<string, number>> }).events;
      if (writer) {
        const labels = { worker: worker.id };
        writtenBatches.inc(labels, writer.writtenBatches ?? 0);
        failedWrites.inc(labels, writer.failedWrites ?? 0);
        pendingBatches.set(labels, writer.pendingBatches ?? 0);
        droppedBatches.inc(labels, writer.droppedBatches ?? 0);
        droppedEvents.inc(labels, writer.droppedEvents ?? 0);
        withheld.inc(labels, writer.unownedEvents ?? 0);
        gone.inc(labels, writer.goneEvents ?? 0);
      }
      capacity.set({ worker: worker.id, kind: "used" }, worker.cameras.length);
      capacity.set({ worker: worker.id, kind: "max" }, worker.maxCameras);
      for (const c of worker.cameras) {
        const labels = { camera: c.cameraId, worker: worker.id };
        fps.set(labels, c.fps);
        analysed.set(labels, c.framesAnalysed);
        dropped.set(labels, c.framesDropped);
        if (c.droppedShare != null) droppedRatio.set(labels, c.droppedShare);
        if (c.framesUnchanged !== undefined) unchanged.set(labels, c.framesUnchanged);
        recognitions.set(labels, c.recognitions);
        unknown.set(labels, c.unknownFaces);
        if (c.latencyP50Ms !== null) latency.set({ ...labels, quantile: "0.5" }, c.latencyP50Ms);
        if (c.latencyP95Ms !== null) latency.set({ ...labels, quantile: "0.95" }, c.latencyP95Ms);
      }
    }
  }
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType } });
}
