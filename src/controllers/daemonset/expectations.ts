// DaemonSet expectations (upstream ControllerExpectations.SetExpectations): one sync may both create
// pods on some nodes and delete pods on others, so creations and deletions are expected together —
// unlike the ReplicaSet's, which does one or the other per sync. Until the informer has observed
// them (or 5 minutes pass) the DaemonSet only gets its status updated.
import { EXPECTATIONS_TIMEOUT_MS } from '../replicaset/expectations.js';

interface Expectation { add: number; del: number; at: number }

export class DaemonSetExpectations {
  private exps = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  satisfied(key: string): boolean {
    const e = this.exps.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  set(key: string, add: number, del: number): void { this.exps.set(key, { add, del, at: this.now() }); }

  /** LowerExpectations: creations or deletions that were never attempted or failed. */
  lower(key: string, add: number, del: number): void {
    const e = this.exps.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  creationObserved(key: string): void { this.lower(key, 1, 0); }
  deletionObserved(key: string): void { this.lower(key, 0, 1); }
  delete(key: string): void { this.exps.delete(key); }

  get(key: string): { add: number; del: number } | undefined {
    const e = this.exps.get(key);
    return e && { add: e.add, del: e.del };
  }
}
