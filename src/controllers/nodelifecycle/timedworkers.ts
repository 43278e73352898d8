// Scheduled pod deletions (upstream tainteviction TimedWorkerQueue): one timer per pod key, firing
// at the end of its toleration. A fired job that succeeded leaves a tombstone so the same eviction
// is not scheduled again until the key is cancelled (the pod is gone or its taints went away).

export interface TimedWorker { createdAt: number; fireAt: number; timer: NodeJS.Timeout }

export class TimedWorkerQueue {
  private readonly workers = new Map<string, TimedWorker | null>();

  constructor(private readonly handler: (key: string, fireAt: number) => Promise<void>,
    private readonly log: (m: string) => void = () => {}, private readonly now: () => number = Date.now) {}

  /** Schedules `key` at fireAt unless something (even a finished job) is already recorded for it. */
  addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.workers.has(key)) return;
    const timer = setTimeout(() => void this.fire(key, fireAt), Math.max(0, fireAt - this.now()));
    this.workers.set(key, { createdAt, fireAt, timer });
  }

  private async fire(key: string, fireAt: number): Promise<void> {
    try {
      await this.handler(key, fireAt);
      if (this.workers.has(key)) this.workers.set(key, null);
    } catch (err) {
      this.log(`evicting ${key}: ${(err as Error).message}`);
      this.workers.delete(key);
    }
  }

  /** Cancels a pending job and forgets the key; true only when a pending job was cancelled. */
  cancelWork(key: string): boolean {
    if (!this.workers.has(key)) return false;
    const w = this.workers.get(key);
    this.workers.delete(key);
    if (!w) return false;
    clearTimeout(w.timer);
    return true;
  }

  /** The pending job for key (undefined when none or already done). */
  getWorker(key: string): TimedWorker | undefined { return this.workers.get(key) ?? undefined; }

  stop(): void {
    for (const w of this.workers.values()) if (w) clearTimeout(w.timer);
    this.workers.clear();
  }
}
