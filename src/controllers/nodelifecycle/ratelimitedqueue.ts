// The per-zone queue of nodes waiting for a NoExecute taint (upstream nodelifecycle/scheduler
// RateLimitedTimedQueue): a unique set of node names ordered by when they may be processed, drained
// through a token bucket so that a zone full of failing nodes is tainted a few nodes per second,
// not all at once. The bucket's rate is swapped as the zone's state changes.

/** golang.org/x/time/rate Allow() with a burst: tokens refill at qps per second up to burst. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(readonly qps: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.last = now();
  }
  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** upstream EvictionRateLimiterBurst */
export const EVICTION_RATE_LIMITER_BURST = 1;
/** upstream NodeEvictionPeriod: how often the tainting pass runs */
export const NODE_EVICTION_PERIOD_MS = 100;

export interface TimedValue { value: string; uid: string; addedAt: number; processAt: number }

export class RateLimitedTimedQueue {
  private limiter: TokenBucket;
  /** every value added and not removed (processed ones stay here, see removeFromQueue) */
  private readonly set = new Set<string>();
  private queue: TimedValue[] = [];

  constructor(qps: number, private readonly now: () => number = Date.now) {
    this.limiter = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, now);
  }

  get qps(): number { return this.limiter.qps; }

  /** Adds a value to process now; false if it is already known (queued or processed and not removed). */
  add(value: string, uid: string): boolean {
    if (this.set.has(value)) return false;
    const t = this.now();
    this.set.add(value);
    this.queue.push({ value, uid, addedAt: t, processAt: t });
    this.sort();
    return true;
  }

  /** Forgets a value entirely, so that it can be added again; true if it was known. */
  remove(value: string): boolean {
    this.queue = this.queue.filter((v) => v.value !== value);
    return this.set.delete(value);
  }

  /** Values waiting (for tests and metrics). */
  pending(): string[] { return this.queue.map((v) => v.value); }

  private sort(): void { this.queue.sort((a, b) => a.processAt - b.processAt); }

  /**
   * Processes due values in order while the limiter grants tokens. fn answers ok, or not ok with a
   * delay before the value is tried again. A processed value leaves the queue but stays in the set.
   */
  async try(fn: (v: TimedValue) => Promise<{ ok: boolean; waitMs: number }>): Promise<void> {
    let head = this.queue[0];
    while (head) {
      if (!this.limiter.tryAccept()) break;
      const now = this.now();
      if (now < head.processAt) break;
      const r = await fn(head);
      if (!this.set.has(head.value)) { head = this.queue[0]; continue; } // removed meanwhile
      if (r.ok) this.queue = this.queue.filter((v) => v !== head);
      else { head.processAt = now + r.waitMs + 1; this.sort(); }
      head = this.queue[0];
    }
  }

  /** SwapLimiter: a new rate (0 stops processing); an exhausted bucket stays exhausted across the swap. */
  swapLimiter(qps: number): void {
    if (this.limiter.qps === qps) return;
    const next = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, this.now);
    if (qps > 0 && !this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }
}
