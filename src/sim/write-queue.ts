// Paced writes: a bounded number in flight over the client's keep-alive pool, one pending write
// per key (a newer Lease renewal or status replaces an older one not yet sent), and retries with
// backoff when the server is away (restart) or overloaded, so writes survive a server restart.
import { APIError } from '../client/rest.js';
import type { TimerWheel } from './timer-wheel.js';

export type Write = () => Promise<void>;

/** Network failures, 5xx and 429 are worth retrying; other API errors are the writer's to handle. */
export function transient(err: unknown): boolean {
  if (err instanceof APIError) return err.code >= 500 || err.code === 429;
  return true;
}

/**
 * Node heartbeats (Leases) and node status have their own pool of writes, as a kubelet's lease loop
 * never waits behind pod status updates (a shared FIFO let renewals fall 80 s behind with 30,000 pods
 * starting) — and pod writes keep theirs, so 5,000 nodes' renewals cannot starve pods either.
 */
export function isHeartbeat(key: string): boolean { return key.startsWith('lease/') || key.startsWith('node/'); }
/** the heartbeat pool when not given: half the pod concurrency, at least this many */
const MIN_HEARTBEAT_POOL = 4;

export class WriteQueue {
  private readonly urgent = new Map<string, Write>();
  private readonly pending = new Map<string, Write>();
  private readonly attempts = new Map<string, number>();
  private readonly running = new Set<string>();
  private inFlight = 0;
  private heartbeatsInFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  writes = 0;
  failures = 0;

  private readonly heartbeatConcurrency: number;

  constructor(private readonly wheel: TimerWheel, private readonly concurrency: number,
    private readonly log: (msg: string) => void = () => {}, private readonly maxBackoffMs = 5000, heartbeatConcurrency?: number) {
    this.heartbeatConcurrency = heartbeatConcurrency ?? Math.max(MIN_HEARTBEAT_POOL, Math.floor(concurrency / 2));
  }

  /** Queue a write under `key`; replaces a queued (not yet started) write with the same key. */
  add(key: string, w: Write): void {
    if (this.stopped) return;
    this.wheel.cancel(`retry/${key}`);
    this.queueFor(key).set(key, w);
    this.pump();
  }

  private queueFor(key: string): Map<string, Write> { return isHeartbeat(key) ? this.urgent : this.pending; }

  /** Drop a queued (not yet started) write and any retry of it; one already in flight finishes. */
  cancel(key: string): void {
    this.wheel.cancel(`retry/${key}`);
    this.queueFor(key).delete(key);
    this.attempts.delete(key);
    this.checkIdle();
  }

  get size(): number { return this.urgent.size + this.pending.size + this.inFlight; }

  /** Resolves when nothing is queued, in flight or waiting to be retried. */
  idle(): Promise<void> {
    if (this.size === 0 && this.attempts.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.urgent.clear();
    this.pending.clear();
  }

  private pump(): void {
    this.drain(this.urgent, () => this.heartbeatsInFlight < this.heartbeatConcurrency);
    this.drain(this.pending, () => this.inFlight - this.heartbeatsInFlight < this.concurrency);
    this.checkIdle();
  }

  private drain(queue: Map<string, Write>, room: () => boolean): void {
    for (const [key, w] of queue) {
      if (!room()) return;
      if (this.running.has(key)) continue; // one write per key at a time, in order
      queue.delete(key);
      this.run(key, w);
    }
  }

  private run(key: string, w: Write): void {
    const heartbeat = isHeartbeat(key);
    this.inFlight++;
    if (heartbeat) this.heartbeatsInFlight++;
    this.running.add(key);
    w().then(() => {
      this.writes++;
      this.attempts.delete(key);
    }, (err: unknown) => {
      this.failures++;
      if (!this.stopped && transient(err)) {
        const n = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, n);
        if (n === 1 || n % 10 === 0) this.log(`retrying ${key} (attempt ${n}): ${(err as Error).message}`);
        const delay = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(n, 10));
        // a newer write for the key wins over the retry
        this.wheel.schedule(`retry/${key}`, Date.now() + delay, () => {
          if (this.stopped) return;
          this.queueFor(key).set(key, w);
          this.pump();
        });
      } else {
        this.attempts.delete(key);
        this.log(`write ${key} failed: ${(err as Error).message}`);
      }
    }).finally(() => {
      this.inFlight--;
      if (heartbeat) this.heartbeatsInFlight--;
      this.running.delete(key);
      this.pump();
    });
  }

  private checkIdle(): void {
    if (this.size === 0 && this.attempts.size === 0 && this.idleWaiters.length) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of ws) r();
    }
  }
}
