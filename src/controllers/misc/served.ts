// Controllers whose work Kumo's API server already does in-process, over its watch cache: ClusterRole
// aggregation (src/apiserver/authz/aggregation.ts) and ResourceQuota usage recalculation
// (src/apiserver/admission/policy/resourcequota.ts, tied to admission's pending charges and per-namespace
// locks). Running a second writer here would double every write, so these descriptors start a controller
// that only says where the work happens and idles until stopped.
import type { Controller } from '../manager/context.js';

export class ServedByAPIServer implements Controller {
  readonly queues = [];
  private done?: () => void;
  constructor(readonly name: string, private readonly where: string, private readonly log: (m: string) => void) {}

  run(): Promise<void> {
    this.log(`${this.name}: served by the API server (${this.where}); nothing to run in the controller manager`);
    return new Promise((resolve) => { this.done = resolve; });
  }

  stop(): void { this.done?.(); }
}
