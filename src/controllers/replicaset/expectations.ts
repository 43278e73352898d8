// Controller expectations (upstream pkg/controller ControllerExpectations + UID tracking): after a
// sync asks for N creations or deletions, the controller does not act on that ReplicaSet again until
// its informer has observed them (or 5 minutes pass), so a lagging watch never causes over-creation.

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation { add: number; del: number; at: number }

export class ControllerExpectations {
  private exps = new Map<string, Expectation>();
  /** pod keys whose deletion a controller still waits to observe */
  private deleteKeys = new Map<string, Set<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the controller may sync `key`: no record, all observed, or the record has expired. */
  satisfiedExpectations(key: string): boolean {
    const e = this.exps.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, adds: number): void {
    this.exps.set(key, { add: adds, del: 0, at: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.deleteKeys.set(key, new Set(podKeys));
    this.exps.set(key, { add: 0, del: podKeys.length, at: this.now() });
  }

  private lower(key: string, add: number, del: number): void {
    const e = this.exps.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  creationObserved(key: string): void { this.lower(key, 1, 0); }

  /** Counted once per pod key, however many delete events arrive for it. */
  deletionObserved(key: string, podKey: string): void {
    const s = this.deleteKeys.get(key);
    if (!s || !s.delete(podKey)) return;
    this.lower(key, 0, 1);
  }

  delete(key: string): void {
    this.exps.delete(key);
    this.deleteKeys.delete(key);
  }

  /** pending (add, del) for tests and debugging */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.exps.get(key);
    return e && { add: e.add, del: e.del };
  }
}
