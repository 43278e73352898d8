// Small plugins: PrioritySort (QueueSort), SchedulingGates (PreEnqueue), NodeUnschedulable,
// NodeName and NodePorts (Filter), with upstream's reasons and status codes.
import { hostPorts, type NodeInfo } from '../nodeinfo.js';
import { Status, type CycleState, type FilterPlugin, type Pod, type PreEnqueuePlugin, type PreFilterPlugin, type QueuedPodInfo, type QueueSortPlugin } from '../types.js';
import { tolerationsTolerateTaint } from './helpers.js';

/** Higher priority first, then the pod that has waited longer. */
export class PrioritySort implements QueueSortPlugin {
  readonly name = 'PrioritySort';
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.pod.spec.priority ?? 0, pb = b.pod.spec.priority ?? 0;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

/** Pods with spec.schedulingGates are not attempted until the gates are removed. */
export class SchedulingGates implements PreEnqueuePlugin {
  readonly name = 'SchedulingGates';
  preEnqueue(pod: Pod): Status {
    const gates = pod.spec.schedulingGates ?? [];
    if (gates.length === 0) return Status.success();
    return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }
}

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';
  filter(_s: CycleState, pod: Pod, node: NodeInfo): Status {
    if (!node.node?.spec?.unschedulable) return Status.success();
    const tolerated = tolerationsTolerateTaint(pod.spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
    return tolerated ? Status.success() : Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';
  filter(_s: CycleState, pod: Pod, node: NodeInfo): Status {
    const want = pod.spec.nodeName;
    return !want || want === node.name ? Status.success() : Status.unresolvable(ERR_REASON_NODE_NAME);
  }
}

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
const PORTS_KEY = 'PreFilterNodePorts';
export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = 'NodePorts';
  preFilter(state: CycleState, pod: Pod) {
    const ports = hostPorts(pod);
    state.set(PORTS_KEY, ports);
    return { status: ports.length ? Status.success() : Status.skip() };
  }
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const ports = (state.get(PORTS_KEY) as ReturnType<typeof hostPorts> | undefined) ?? hostPorts(pod);
    for (const p of ports) {
      const used = node.usedPorts.get(`${p.protocol}/${p.port}`);
      if (!used) continue;
      // 0.0.0.0 conflicts with every address; otherwise only the same address conflicts
      if (p.ip === '0.0.0.0' || used.has('0.0.0.0') || used.has(p.ip)) return Status.unschedulable(ERR_REASON_PORTS);
    }
    return Status.success();
  }
}
