/**
 * `compute`, at most once per `ttlMs`: callers within that time get the last answer, and callers
 * while it runs share that one run (single flight); a failed run is not kept. With `serveStale`,
 * an older answer is returned at once while one refresh runs behind it (a failed refresh leaves it
 * in place and the next call tries again), so no caller waits once there is an answer.
 */
export function cachedFor<T>(
  ttlMs: number,
  compute: () => Promise<T>,
  options: { serveStale?: boolean } = {},
): () => Promise<T> {
  let last: { value: T; at: number } | undefined;
  let running: Promise<T> | undefined;
  const refresh = () => {
    running ??= compute()
      .then((value) => {
        last = { value, at: performance.now() };
        return value;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  return () => {
    if (last && performance.now() - last.at < ttlMs) return Promise.resolve(last.value);
    if (last && options.serveStale) {
      refresh().catch(() => {});
      return Promise.resolve(last.value);
    }
    return refresh();
  };
}
