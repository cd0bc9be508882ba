/** One log call: structured fields, then the message. A pino `Logger` has four of these. */
export type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/** What runService logs with: a pino `Logger`, or a small adapter for a CLI that prints plain text. */
export type ServiceLogger = {
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
};

export type ServiceControls = {
  /**
   * Adds a step to the shutdown, e.g. `onClose("database", () => database.close())`. The steps run
   * one after another, last added first (what was built last closes first), and each one runs even
   * if an earlier one failed. Add each right after building what it closes: then a start that
   * fails halfway still closes what it built.
   */
  onClose(what: string, close: () => Promise<void>): void;
};

export type StartedService = {
  /** Settles once the service serves (e.g. its queue workers are connected); rejecting means it could not start. */
  ready?: Promise<unknown>;
  /** Fields of the ready line, e.g. `{ port }`. Never a URL with its password. */
  describe?: Record<string, unknown>;
};

export type ServiceOptions = {
  /** Names the service in its log lines: "<name> ready", "<name> shutting down", … */
  name: string;
  logger: ServiceLogger;
  /** Builds the service and adds, with `onClose`, what the shutdown closes. */
  start: (controls: ServiceControls) => Promise<StartedService>;
  /** Cap on the whole shutdown (every close step); past it the process exits 1. */
  shutdownTimeoutMs: number;
  /** The ready line, "<name> ready" by default. Tests and scripts wait for it: change it with them. */
  readyMessage?: string;
};

/**
 * Runs this process as one service: starts it, logs when it is ready, and owns its exit.
 *
 * - SIGTERM or SIGINT: closes every step within `shutdownTimeoutMs`, then exits 0; 1 if a step
 *   failed or the cap was hit (an error line says which). Another signal meanwhile exits 1 at once.
 * - A start or readiness failure, an uncaught exception or an unhandled rejection: a fatal line
 *   with the error's message, then the same shutdown, then exit 1.
 *
 * It ends the process with `process.exit`, so the logger must write synchronously (for pino:
 * `pino.destination({ sync: true })`); pino's default stream loses or reorders the last lines.
 *
 * Resolves once the ready line is logged (or the shutdown has begun); nothing should follow it.
 */
export async function runService(options: ServiceOptions): Promise<void> {
  const { name, logger, shutdownTimeoutMs } = options;
  const steps: { what: string; close: () => Promise<void> }[] = [];
  let exitCode: 0 | 1 = 0;
  let stopping = false;

  const started = (async () => options.start({ onClose: (what, close) => void steps.push({ what, close }) }))();

  async function closeAll() {
    await started.catch(() => undefined); // a start still under way adds what it builds
    for (let step = steps.pop(); step; step = steps.pop()) {
      try {
        await step.close();
      } catch (error) {
        exitCode = 1;
        logger.error({ err: describeError(error), step: step.what }, `${name} could not close the ${step.what}`);
      }
    }
  }

  function shutdown(code: 0 | 1) {
    if (code === 1) exitCode = 1;
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      logger.error({ timeoutMs: shutdownTimeoutMs }, `${name} did not stop within ${shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, shutdownTimeoutMs);
    void closeAll().then(() => {
      logger.info({ exitCode }, `${name} stopped`);
      process.exit(exitCode);
    });
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, `${name} got ${signal} while stopping; exiting now`);
      process.exit(1);
    }
    logger.info({ signal }, `${name} shutting down`);
    shutdown(0);
  };
  const onCrash = (origin: string) => (error: unknown) => {
    logger.fatal({ err: describeError(error), origin }, `${name} crashed`);
    shutdown(1);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  process.on("uncaughtException", onCrash("uncaught exception"));
  process.on("unhandledRejection", onCrash("unhandled rejection"));

  try {
    const { ready, describe } = await started;
    await ready;
    if (!stopping) logger.info(describe ?? {}, options.readyMessage ?? `${name} ready`);
  } catch (error) {
    logger.fatal({ err: describeError(error) }, `${name} could not start`);
    shutdown(1);
  }
}

/**
 * A copy of the error with its message, stack and code only: its other properties may hold
 * connection options. A connection refused on every address is an AggregateError with an empty
 * message: its errors' messages stand in.
 */
function describeError(error: unknown): Error {
  if (!(error instanceof Error)) return Object.assign(new Error(String(error)), { stack: undefined });
  const nested = error instanceof AggregateError ? error.errors.map((e) => (e as Error)?.message ?? String(e)) : [];
  const copy = new Error(error.message || nested.join("; "));
  copy.stack = error.stack;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? Object.assign(copy, { code }) : copy;
}
