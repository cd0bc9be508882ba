import type { Job, Worker } from "bullmq";

/**
 * The result of the job `jobId` once `worker` completes it; rejects when its last attempt fails, or
 * after `timeoutMs`. Register it before the job is added: a job with `removeOnComplete` can be done
 * and gone before `waitUntilFinished` looks it up, and some workers trim their event stream at once.
 */
export function completion(worker: Worker, jobId: string, timeoutMs = 60_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      worker.off("completed", onCompleted);
      worker.off("failed", onFailed);
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`job ${jobId} did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    const onCompleted = (job: Job, result: unknown) => {
      if (job.id !== jobId) return;
      stop();
      resolve(result);
    };
    // Earlier attempts of a retried job fail too; only the last one decides.
    const onFailed = (job: Job | undefined, error: Error) => {
      if (job?.id !== jobId || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      stop();
      reject(new Error(`job ${jobId} failed: ${error.message}`));
    };
    worker.on("completed", onCompleted);
    worker.on("failed", onFailed);
  });
}
