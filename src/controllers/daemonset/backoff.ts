// Per-key exponential backoff (client-go flowcontrol.Backoff, no jitter): the daemonset controller
// uses it so a failed daemon pod that a node keeps rejecting is not deleted and recreated in a hot
// loop. Keys are `<ds uid>/<observedGeneration>/<node>` as upstream (a new generation starts fresh).

interface Entry { backoff: number; lastUpdate: number }

export class Backoff {
  private entries = new Map<string, Entry>();

  constructor(readonly initialMs = 1000, readonly maxMs = 15 * 60 * 1000, readonly now: () => number = Date.now) {}

  /** the current delay of `key` (0 when it has none) */
  get(key: string): number { return this.entries.get(key)?.backoff ?? 0; }

  /** Next: doubles the delay (capped), or starts at the initial one when unknown or long expired. */
  next(key: string, at = this.now()): void {
    const e = this.entries.get(key);
    if (!e || at - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { backoff: this.initialMs, lastUpdate: at });
      return;
    }
    e.backoff = Math.min(e.backoff * 2, this.maxMs);
    e.lastUpdate = at;
  }

  /** IsInBackOffSinceUpdate: less than the current delay has passed since the last next(). */
  isInBackOffSinceUpdate(key: string, at = this.now()): boolean {
    const e = this.entries.get(key);
    return Boolean(e) && at - e!.lastUpdate < e!.backoff;
  }

  /** GC: forgets entries idle for twice the maximum delay. */
  gc(at = this.now()): void {
    for (const [k, e] of this.entries) if (at - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  get size(): number { return this.entries.size; }
}
