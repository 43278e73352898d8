// One priority level's seats and queues (upstream fairqueuing queueset, simplified): requests run
// while seats are free; beyond that they wait in one of `queues` FIFO queues picked by shuffle
// sharding on the flow (the shortest of `handSize` queues dealt from the flow's hash) and are
// dispatched round-robin across queues as seats free up — so one busy flow cannot starve the
// others. A full queue, a Reject level, or a wait beyond the timeout means 429.
import { createHash } from 'node:crypto';

export interface QueueSetConfig {
  /** seats: requests executing at once */
  concurrencyLimit: number;
  /** 0 for Reject levels */
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

interface Waiter { resolve(release: () => void): void; reject(err: Error): void; timer: NodeJS.Timeout }

export class RejectedError extends Error {}

export class QueueSet {
  private executing = 0;
  private queues: Waiter[][] = [];
  private next = 0;
  /** counters for metrics */
  dispatched = 0;
  rejected = 0;

  constructor(public config: QueueSetConfig, private readonly maxWaitMs = 15_000) {
    this.queues = Array.from({ length: config.queues }, () => []);
  }

  /** Applies a new config (seats may grow or shrink; queued requests are kept where possible). */
  reconfigure(config: QueueSetConfig): void {
    const waiting = this.queues.flat();
    this.config = config;
    this.queues = Array.from({ length: config.queues }, () => []);
    for (const [i, w] of waiting.entries()) {
      if (config.queues === 0) { clearTimeout(w.timer); this.rejected++; w.reject(new RejectedError('priority level no longer queues')); } else this.queues[i % config.queues].push(w);
    }
    this.dispatch();
  }

  get waiting(): number { return this.queues.reduce((n, q) => n + q.length, 0); }
  get inFlight(): number { return this.executing; }

  /** Resolves with a release function once a seat is held; rejects with RejectedError (→ 429). */
  acquire(flow: string): Promise<() => void> {
    if (this.executing < this.config.concurrencyLimit && this.waiting === 0) return Promise.resolve(this.seat());
    if (this.config.queues === 0) { this.rejected++; return Promise.reject(new RejectedError('concurrency limit reached')); }
    const q = this.queues[this.pickQueue(flow)];
    if (q.length >= this.config.queueLengthLimit) { this.rejected++; return Promise.reject(new RejectedError('queue full')); }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve, reject,
        timer: setTimeout(() => {
          const i = q.indexOf(w);
          if (i >= 0) q.splice(i, 1);
          this.rejected++;
          reject(new RejectedError('timed out waiting in queue'));
        }, this.maxWaitMs),
      };
      q.push(w);
    });
  }

  private seat(): () => void {
    this.executing++;
    this.dispatched++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.executing--;
      this.dispatch();
    };
  }

  private dispatch(): void {
    while (this.executing < this.config.concurrencyLimit) {
      let w: Waiter | undefined;
      for (let i = 0; i < this.queues.length && !w; i++) {
        const q = this.queues[(this.next + i) % this.queues.length];
        if (q.length) { w = q.shift(); this.next = (this.next + i + 1) % this.queues.length; }
      }
      if (!w) return;
      clearTimeout(w.timer);
      w.resolve(this.seat());
    }
  }

  /** shuffle sharding: deal handSize distinct queues from the flow's hash, take the shortest */
  private pickQueue(flow: string): number {
    const n = this.queues.length;
    const hand = Math.min(this.config.handSize, n);
    let h = createHash('sha256').update(flow).digest().readBigUInt64BE(0);
    const remaining = Array.from({ length: n }, (_, i) => i);
    let best = -1;
    for (let i = 0; i < hand; i++) {
      const pick = Number(h % BigInt(remaining.length));
      h /= BigInt(remaining.length);
      const idx = remaining.splice(pick, 1)[0];
      if (best < 0 || this.queues[idx].length < this.queues[best].length) best = idx;
    }
    return best;
  }
}
