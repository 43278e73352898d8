// A rate-limited work queue with client-go's semantics: a key queued twice is processed once
// (dedup while queued), a key being processed is never handed out concurrently (re-adds wait until
// done()), failed keys come back after a per-item exponential backoff (5 ms doubling to 1000 s)
// combined with an overall token bucket (10 qps, burst 100), and forget() resets the backoff.

export interface RateLimiter {
  /** delay before `key` may be retried; counts as a retry */
  when(key: string): number;
  forget(key: string): void;
  numRequeues(key: string): number;
}

/** Per-item exponential backoff: base·2^failures, capped (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private failures = new Map<string, number>();
  constructor(private readonly baseMs = 5, private readonly maxMs = 1000_000) {}
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const d = this.baseMs * 2 ** n;
    return d > this.maxMs || !Number.isFinite(d) ? this.maxMs : d;
  }
  forget(key: string): void { this.failures.delete(key); }
  numRequeues(key: string): number { return this.failures.get(key) ?? 0; }
}

/** An overall token bucket (golang.org/x/time/rate reservations): the delay until a token is free. */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;
  constructor(private readonly qps = 10, private readonly burst = 100, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.last = now();
  }
  when(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(): void {}
  numRequeues(): number { return 0; }
}

/** The worst (longest) delay of several limiters (client-go MaxOfRateLimiter). */
export class MaxOfRateLimiter implements RateLimiter {
  constructor(private readonly limiters: RateLimiter[]) {}
  when(key: string): number { return Math.max(...this.limiters.map((l) => l.when(key))); }
  forget(key: string): void { for (const l of this.limiters) l.forget(key); }
  numRequeues(key: string): number { return Math.max(...this.limiters.map((l) => l.numRequeues(key))); }
}

/** client-go DefaultControllerRateLimiter: 5 ms → 1000 s per item, and 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter(): RateLimiter {
  return new MaxOfRateLimiter([new ItemExponentialFailureRateLimiter(5, 1000_000), new BucketRateLimiter(10, 100)]);
}

/** Counters a queue keeps for /metrics (workqueue_* in upstream). */
export interface QueueMetrics {
  name: string;
  depth: number;
  adds: number;
  retries: number;
  /** seconds items waited in the queue before get(): sum and count */
  queueLatencySum: number;
  queueLatencyCount: number;
  /** seconds between get() and done(): sum and count */
  workDurationSum: number;
  workDurationCount: number;
  longestRunningSeconds(): number;
}

export class RateLimitingQueue {
  private queue: string[] = [];
  private dirty = new Set<string>();
  private processing = new Map<string, number>();
  private addedAt = new Map<string, number>();
  private waiters: ((k: string | undefined) => void)[] = [];
  private timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private shuttingDown = false;
  readonly metrics: QueueMetrics;

  constructor(readonly name: string, private readonly limiter: RateLimiter = defaultControllerRateLimiter(),
    private readonly now: () => number = Date.now) {
    const processing = this.processing;
    const clock = this.now;
    this.metrics = {
      name, depth: 0, adds: 0, retries: 0, queueLatencySum: 0, queueLatencyCount: 0, workDurationSum: 0, workDurationCount: 0,
      longestRunningSeconds() {
        let oldest = Infinity;
        for (const t of processing.values()) oldest = Math.min(oldest, t);
        return oldest === Infinity ? 0 : (clock() - oldest) / 1000;
      },
    };
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics.adds++;
    this.dirty.add(key);
    this.addedAt.set(key, this.now());
    if (this.processing.has(key)) return; // requeued by done()
    const w = this.waiters.shift();
    if (w) { this.take(key); w(key); return; }
    this.queue.push(key);
    this.metrics.depth = this.queue.length;
  }

  /** Adds `key` after `ms`; an earlier pending add-after of the same key wins (as client-go's delaying queue). */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) { this.add(key); return; }
    const at = this.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => { this.timers.delete(key); this.add(key); }, ms);
    this.timers.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    this.metrics.retries++;
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: string): void { this.limiter.forget(key); }
  numRequeues(key: string): number { return this.limiter.numRequeues(key); }
  len(): number { return this.queue.length; }

  private take(key: string): void {
    this.dirty.delete(key);
    this.processing.set(key, this.now());
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) { this.metrics.queueLatencySum += (this.now() - added) / 1000; this.metrics.queueLatencyCount++; }
  }

  /** The next key, or undefined once the queue is shut down and drained. Call done(key) after processing. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.metrics.depth = this.queue.length;
      this.take(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics.workDurationSum += (this.now() - started) / 1000;
    this.metrics.workDurationCount++;
    if (this.dirty.has(key) && !this.shuttingDown) {
      const w = this.waiters.shift();
      if (w) { this.take(key); w(key); return; }
      this.queue.push(key);
      this.metrics.depth = this.queue.length;
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  isShuttingDown(): boolean { return this.shuttingDown; }
}
