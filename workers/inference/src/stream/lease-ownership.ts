import type { Redis } from "ioredis";

export type LeaseOwnershipOptions = {
  /** How often the lease's lock is read back from Redis. */
  checkEveryMs: number;
  /** The lock's duration: until the first read, the lock expires at the latest this long after the lease began. */
  lockDurationMs: number;
  /** Ownership ends this long before the lock's expiry as last read, to stop before another worker can take it. */
  marginMs: number;
};

/**
 * Whether this worker still holds one lease job, by its BullMQ lock: the lock key holds the
 * token of the worker that owns the job, and expires unless BullMQ renews it. Ownership ends
 * `marginMs` before the expiry last read back, so it has ended before BullMQ can hand the job to
 * another worker (which needs the lock gone and then its stalled check): a new holder starts at
 * once. A lock that moved on (a Redis that restarted empty, another token) aborts `lost` within
 * `checkEveryMs`; an unreachable Redis, or renewals that stopped, before the lock expires.
 */
export class LeaseOwnership {
  private readonly controller = new AbortController();
  /** Aborted, with the reason, once the lease is lost. */
  readonly lost: AbortSignal = this.controller.signal;
  /** When Redis last confirmed the lock (the time the confirming read was sent). */
  confirmedAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private deadline: NodeJS.Timeout | undefined;
  /** The read in flight: callers meanwhile share it rather than queue more behind a slow Redis. */
  private reading: Promise<boolean> | null = null;
  /** Resolves false when the lease is lost: no caller waits for a read past the deadline. */
  private readonly untilLost = new Promise<boolean>((resolve) =>
    this.lost.addEventListener("abort", () => resolve(false), { once: true }),
  );

  constructor(
    private readonly redis: Redis,
    private readonly lockKey: string,
    private readonly token: string,
    private readonly options: LeaseOwnershipOptions,
  ) {
    this.timer = setInterval(() => void this.check(), options.checkEveryMs);
    this.armDeadline(this.confirmedAt + options.lockDurationMs);
    void this.check();
  }

  /**
   * Reads the lock now; false once the lease is lost. An unanswered read is waited for until the
   * deadline at most: then the lease is lost, and so is the answer.
   */
  check(): Promise<boolean> {
    if (this.lost.aborted) return Promise.resolve(false);
    this.reading ??= Promise.race([this.read(), this.untilLost]).finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async read(): Promise<boolean> {
    const sentAt = Date.now();
    let holder: string | null;
    let ttlMs: number;
    try {
      // No timeout of its own: a late answer still confirms from when it was sent, and the deadline
      // covers a Redis that does not answer at all.
      const replies = await this.redis.multi().get(this.lockKey).pttl(this.lockKey).exec();
      holder = replies?.[0]?.[1] as string | null;
      ttlMs = Number(replies?.[1]?.[1]);
    } catch {
      return !this.lost.aborted;
    }
    if (this.lost.aborted) return false;
    if (holder !== this.token) {
      this.lose(holder === null ? "lease lock gone from Redis" : "lease taken by another worker");
      return false;
    }
    if (sentAt >= this.confirmedAt) {
      this.confirmedAt = sentAt;
      // PTTL counts from when Redis ran it, after `sentAt`: sentAt + ttl is never later than the expiry.
      if (ttlMs > 0) this.armDeadline(sentAt + ttlMs);
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

  private armDeadline(lockExpiresAt: number) {
    clearTimeout(this.deadline);
    const remaining = lockExpiresAt - this.options.marginMs - Date.now();
    this.deadline = setTimeout(() => this.lose("lease lock about to expire unrenewed"), remaining);
  }
}
