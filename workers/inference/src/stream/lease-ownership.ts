import type { Redis } from "ioredis";

export type LeaseOwnershipOptions = {
  /** How often the lease's lock is read back from Redis. */
  checkEveryMs: number;
  /**
   * Ownership not confirmed for this long counts as lost, even when Redis cannot be reached: by
   * then another worker may hold the lease. A worker taking a lease waits a little longer than
   * this before it opens the stream, so the previous holder has always stopped.
   */
  trustMs: number;
};

/**
 * Whether this worker still holds one lease job, by its BullMQ lock: the lock key holds the
 * token of the worker that owns the job. A Redis that restarted empty (or any other way the
 * lock moved on) aborts `lost` within `checkEveryMs`; an unreachable Redis within `trustMs`.
 */
export class LeaseOwnership {
  private readonly controller = new AbortController();
  /** Aborted, with the reason, once the lease is lost. */
  readonly lost: AbortSignal = this.controller.signal;
  /** When Redis last confirmed the lock (the time the confirming read was sent). */
  confirmedAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly lockKey: string,
    private readonly token: string,
    private readonly options: LeaseOwnershipOptions,
  ) {
    this.timer = setInterval(() => void this.check(), options.checkEveryMs);
    this.armDeadline();
  }

  /** Reads the lock now; false once the lease is lost. An unanswered read waits for the deadline. */
  async check(): Promise<boolean> {
    if (this.lost.aborted) return false;
    const sentAt = Date.now();
    let holder: string | null;
    try {
      holder = await withTimeout(this.redis.get(this.lockKey), this.options.checkEveryMs);
    } catch {
      return !this.lost.aborted;
    }
    if (this.lost.aborted) return false;
    if (holder !== this.token) {
      this.lose(holder === null ? "lease lock gone from Redis" : "lease taken by another worker");
      return false;
    }
    if (sentAt > this.confirmedAt) {
      this.confirmedAt = sentAt;
      this.armDeadline();
    }
    return true;
  }

  lose(reason: string): void {
    if (this.lost.aborted) return;
    this.release();
    this.controller.abort(reason);
  }

  /** Stops checking (the lease ended). */
  release(): void {
    clearInterval(this.timer);
    clearTimeout(this.deadline);
  }

  private armDeadline() {
    clearTimeout(this.deadline);
    const remaining = this.confirmedAt + this.options.trustMs - Date.now();
    this.deadline = setTimeout(() => this.lose("lease ownership unconfirmed: Redis unreachable"), remaining);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
