// Cluster events and which plugins care about them (upstream EventsToRegister, without queueing
// hint functions): a pod rejected by some plugins goes back to the active queue only on an event
// one of them registered for; pods waiting longer than 5 minutes are flushed anyway (queue.ts).
import { Action, eventMatches, type ClusterEvent, type Node, type Plugin, type Pod } from './types.js';

const NODE_ADD_TAINT = Action.Add | Action.UpdateNodeTaint;

/** Events of the plugins that do not declare their own (upstream's registrations for them). */
const DEFAULT_EVENTS: Record<string, ClusterEvent[]> = {
  NodeUnschedulable: [{ resource: 'Node', action: NODE_ADD_TAINT }],
  NodeName: [{ resource: 'Node', action: NODE_ADD_TAINT }],
  TaintToleration: [{ resource: 'Node', action: NODE_ADD_TAINT }],
  NodeAffinity: [{ resource: 'Node', action: NODE_ADD_TAINT | Action.UpdateNodeLabel }],
  NodePorts: [{ resource: 'Pod', action: Action.Delete }, { resource: 'Node', action: NODE_ADD_TAINT }],
  NodeResourcesFit: [
    { resource: 'Pod', action: Action.Delete | Action.UpdatePodScaleDown },
    { resource: 'Node', action: NODE_ADD_TAINT | Action.UpdateNodeAllocatable | Action.UpdateNodeLabel },
  ],
  PodTopologySpread: [
    { resource: 'Pod', action: Action.Add | Action.UpdatePodLabel | Action.Delete },
    { resource: 'Node', action: NODE_ADD_TAINT | Action.Delete | Action.UpdateNodeLabel },
  ],
  InterPodAffinity: [
    { resource: 'Pod', action: Action.Add | Action.UpdatePodLabel | Action.Delete },
    { resource: 'Node', action: NODE_ADD_TAINT | Action.UpdateNodeLabel },
  ],
};

/** The events a plugin registers for: its own eventsToRegister(), else upstream's list for it, else none. */
export function eventsFor(p: Plugin): ClusterEvent[] {
  const own = (p as Partial<{ eventsToRegister(): ClusterEvent[] }>).eventsToRegister;
  if (typeof own === 'function') return own.call(p);
  return DEFAULT_EVENTS[p.name] ?? [];
}

/** Is a pod rejected by `rejectors` worth retrying after `e`? (no rejector: any event may help) */
export function worthRequeuing(rejectors: Iterable<string>, registered: Map<string, ClusterEvent[]>, e: ClusterEvent): boolean {
  let any = false;
  for (const name of rejectors) {
    any = true;
    for (const r of registered.get(name) ?? []) if (eventMatches(r, e)) return true;
  }
  return !any;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** upstream nodeSchedulingPropertiesChange: which kinds of update a Node change is */
export function nodeUpdateAction(old: Node, cur: Node): number {
  let a = 0;
  if (!same(old.metadata.labels, cur.metadata.labels)) a |= Action.UpdateNodeLabel;
  if (!same(old.spec?.taints, cur.spec?.taints) || !!old.spec?.unschedulable !== !!cur.spec?.unschedulable) a |= Action.UpdateNodeTaint;
  if (!same(old.status?.allocatable, cur.status?.allocatable)) a |= Action.UpdateNodeAllocatable;
  const conds = (n: Node) => ((n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',');
  if (conds(old) !== conds(cur)) a |= Action.UpdateNodeCondition;
  if (!same((old.metadata as { annotations?: unknown }).annotations, (cur.metadata as { annotations?: unknown }).annotations)) a |= Action.UpdateNodeAnnotation;
  return a;
}

/** upstream podSchedulingPropertiesChange for an assigned pod's update */
export function podUpdateAction(old: Pod, cur: Pod): number {
  let a = 0;
  if (!same(old.metadata.labels, cur.metadata.labels)) a |= Action.UpdatePodLabel;
  const req = (p: Pod) => JSON.stringify(p.spec.containers.map((c) => c.resources?.requests ?? {}));
  if (req(old) !== req(cur)) a |= Action.UpdatePodScaleDown;
  return a || Action.UpdatePodOther;
}
