// One timer for everything the simulator does later (Lease renewals, status reports, pod
// completions, graceful deletions, write retries): thousands of nodes must not mean thousands of
// timers. Entries are keyed, so rescheduling a key replaces its pending entry.
export class TimerWheel {
  private readonly slots = new Map<number, Map<string, () => void>>();
  private readonly slotOf = new Map<string, number>();
  private lastSlot: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs = 100, private readonly now: () => number = Date.now) {
    this.lastSlot = Math.floor(this.now() / resolutionMs);
  }

  start(): void {
    if (!this.timer) this.timer = setInterval(() => this.advance(), this.resolutionMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Run `fn` at (or just after) `atMs`; replaces anything pending under `key`. */
  schedule(key: string, atMs: number, fn: () => void): void {
    this.cancel(key);
    const slot = Math.max(Math.ceil(atMs / this.resolutionMs), this.lastSlot + 1);
    let bucket = this.slots.get(slot);
    if (!bucket) this.slots.set(slot, (bucket = new Map()));
    bucket.set(key, fn);
    this.slotOf.set(key, slot);
  }

  cancel(key: string): void {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return;
    this.slotOf.delete(key);
    const bucket = this.slots.get(slot);
    bucket?.delete(key);
    if (bucket?.size === 0) this.slots.delete(slot);
  }

  has(key: string): boolean { return this.slotOf.has(key); }
  get size(): number { return this.slotOf.size; }

  /** Fire everything due by now (called by the interval; tests call it directly). */
  advance(): void {
    const current = Math.floor(this.now() / this.resolutionMs);
    const due: number[] = [];
    if (current - this.lastSlot <= this.slots.size) {
      for (let s = this.lastSlot + 1; s <= current; s++) if (this.slots.has(s)) due.push(s);
    } else {
      for (const s of this.slots.keys()) if (s <= current) due.push(s);
      due.sort((a, b) => a - b);
    }
    this.lastSlot = Math.max(this.lastSlot, current);
    for (const s of due) {
      const bucket = this.slots.get(s)!;
      this.slots.delete(s);
      for (const [key, fn] of bucket) {
        this.slotOf.delete(key);
        try { fn(); } catch { /* a callback's failure must not stop the wheel */ }
      }
    }
  }
}
