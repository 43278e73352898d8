// DefaultPreemption, first step: the PostFilter message upstream gives when preemption cannot help
// ("preemption: 0/N nodes are available: …"). It works out per node whether evicting lower-priority
// pods could make room, but does not evict yet (victim selection, PDBs and nominatedNodeName come later).
import type { NodeInfo } from '../nodeinfo.js';
import { Code, Status, type CycleState, type Pod, type PostFilterContext, type PostFilterPlugin } from '../types.js';
import { fitErrorMessage } from '../fiterror.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = 'DefaultPreemption';
  postFilter(state: CycleState, pod: Pod, statuses: Map<string, Status>, ctx: PostFilterContext): { message: string } {
    if (pod.spec.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
    const prio = pod.spec.priority ?? 0;
    const out = new Map<string, Status>();
    for (const ni of ctx.nodes) {
      const st = statuses.get(ni.name);
      if (!st || st.code === Code.UnschedulableAndUnresolvable) { out.set(ni.name, Status.unresolvable(PREEMPTION_NOT_HELPFUL)); continue; }
      const victims = [...ni.pods.values()].filter((p) => (p.spec.priority ?? 0) < prio);
      if (victims.length === 0) { out.set(ni.name, Status.unresolvable(NO_VICTIMS)); continue; }
      // would removing every lower-priority pod make room?
      for (const v of victims) ni.removePod(v);
      try {
        const again = ctx.runFilters(state, pod, ni);
        out.set(ni.name, again.isSuccess() ? Status.unschedulable('Preemption is not implemented yet') : again);
      } finally {
        for (const v of victims) ni.addPod(v);
      }
    }
    return { message: `preemption: ${fitErrorMessage(ctx.nodes.length, out)}` };
  }
}
export type { NodeInfo };
