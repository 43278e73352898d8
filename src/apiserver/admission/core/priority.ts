// Priority admission (upstream plugin/pkg/admission/priority): a pod's priorityClassName is resolved
// to the integer spec.priority and spec.preemptionPolicy from its PriorityClass (or the global
// default class, else 0 / PreemptLowerPriority); values the user set must agree. PriorityClass
// writes are checked so that only one class is the global default.
import type { KObject } from '../../../api/types.js';
import type { AdmissionPlugin } from '../../chain.js';
import { forbidden, isResource, podSpec } from './util.js';

export interface PriorityClass extends KObject { value?: number; globalDefault?: boolean; preemptionPolicy?: string; description?: string }

/** upstream's built-in classes, created by the apiserver at start */
export const SYSTEM_PRIORITY_CLASSES: PriorityClass[] = [
  {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' },
    value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' },
    value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

export interface PriorityDeps { priorityClasses(): Promise<Iterable<PriorityClass>> | Iterable<PriorityClass> }

/** the global default class: the lowest value wins when several are marked, as upstream */
function defaultClass(classes: Iterable<PriorityClass>): PriorityClass | undefined {
  let best: PriorityClass | undefined;
  for (const pc of classes) if (pc.globalDefault && (!best || (pc.value ?? 0) < (best.value ?? 0))) best = pc;
  return best;
}

export function newPriorityPlugin(deps: PriorityDeps): AdmissionPlugin {
  return {
    name: 'Priority',
    async admit(a) {
      if (!isResource(a, '', 'pods') || a.subresource !== '' || !a.object) return;
      const spec = podSpec(a.object);
      if (a.operation === 'UPDATE') {
        // set on create; keep it when a client sends the pod back without it
        const old = podSpec(a.oldObject);
        if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
        if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined) spec.preemptionPolicy = old.preemptionPolicy;
        return;
      }
      if (a.operation !== 'CREATE') return;
      let priority: number;
      let policy: string | undefined;
      if (!spec.priorityClassName) {
        const pc = defaultClass(await deps.priorityClasses());
        if (pc) {
          spec.priorityClassName = pc.metadata!.name!;
          priority = pc.value ?? 0;
          policy = pc.preemptionPolicy ?? 'PreemptLowerPriority';
        } else {
          priority = 0;
          policy = 'PreemptLowerPriority';
        }
      } else {
        const pc = [...await deps.priorityClasses()].find((c) => c.metadata?.name === spec.priorityClassName);
        if (!pc) throw forbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
        priority = pc.value ?? 0;
        policy = pc.preemptionPolicy ?? 'PreemptLowerPriority';
      }
      if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
        throw forbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
      }
      spec.priority = priority;
      if (policy) {
        if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
          throw forbidden(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
        }
        spec.preemptionPolicy = policy;
      }
    },
    async validate(a) {
      if (!isResource(a, 'scheduling.k8s.io', 'priorityclasses') || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const pc = a.object as PriorityClass;
      if (!pc.globalDefault) return;
      const other = defaultClass([...await deps.priorityClasses()].filter((c) => c.metadata?.name !== pc.metadata?.name));
      if (other) throw forbidden(a, `PriorityClass ${other.metadata!.name} is already marked as default. Only one default can exist`);
    },
  };
}
