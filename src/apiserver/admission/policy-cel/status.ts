// status.observedGeneration of ValidatingAdmissionPolicies (upstream's
// validatingadmissionpolicy-status controller, which also fills status.typeChecking from the matched
// resources' schemas — left empty here): written through the status subresource whenever a policy's
// generation is ahead of what its status says, on cache events and on a slow resync.

import type { KObject } from '../../../api/types.js';
import type { APIServer } from '../../server.js';
import type { ServedResource } from '../../apis.js';

export class PolicyStatusWriter {
  private timer?: NodeJS.Timeout;
  private listening = false;
  private readonly inFlight = new Set<string>();

  constructor(private readonly server: () => APIServer, private readonly intervalMs = 5000) {}

  start(): void {
    if (this.timer) return;
    // the server is built after its plugins: attach on the first tick that finds it
    const tick = () => { this.attach(); void this.resync(); };
    setImmediate(tick);
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private store(): ServedResource | undefined {
    try { return this.server().lookup('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies'); } catch { return undefined; }
  }

  private attach(): void {
    const sr = this.store();
    if (this.listening || !sr) return;
    this.listening = true;
    sr.store.cache.listeners.add((ev) => {
      if (ev.type !== 'DELETED') void this.observe(sr, ev.object.obj);
    });
  }

  private async resync(): Promise<void> {
    const sr = this.store();
    if (!sr) return;
    for (const c of [...sr.store.cache.objects.values()]) await this.observe(sr, c.obj);
  }

  private async observe(sr: ServedResource, policy: KObject): Promise<void> {
    const name = policy.metadata?.name;
    const generation = policy.metadata?.generation;
    const status = (policy.status ?? {}) as { observedGeneration?: number };
    if (!name || generation === undefined || status.observedGeneration === generation || this.inFlight.has(name)) return;
    this.inFlight.add(name);
    try {
      await sr.store.update('', name, (cur) => {
        const st = { ...((cur.status ?? {}) as Record<string, unknown>) };
        st.observedGeneration = cur.metadata?.generation;
        if (!st.typeChecking) st.typeChecking = {};
        cur.status = st;
        return cur;
      }, { dryRun: false, subresource: 'status' });
    } catch {
      // deleted meanwhile, or a conflict: the next event or resync tries again
    } finally {
      this.inFlight.delete(name);
    }
  }
}
