// VolumeZone (upstream plugins/volumezone): a pod whose bound PersistentVolumes carry zone/region
// labels fits only nodes in those zones (values may list several zones joined by "__"). Nodes
// without any topology label are not constrained; claims waiting for their first consumer are
// left to VolumeBinding.
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import { Action, Status, type ClusterEvent, type CycleState, type EnqueueExtensions, type FilterPlugin, type Pod, type PreFilterPlugin } from '../types.js';
import { claimClass, notFound, WAIT_FOR_FIRST_CONSUMER } from '../volumes.js';

export const ERR_REASON_CONFLICT = 'node(s) had no available volume zone';
const STATE_KEY = 'PreFilterVolumeZone';

export const TOPOLOGY_LABELS = [
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
];
const GA_LABEL: Record<string, string> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
};

interface PVTopology { pvName: string; key: string; values: Set<string> }

/** upstream LabelZonesToSet: "a__b" → {a, b} */
export const labelZonesToSet = (v: string): Set<string> => new Set(v.split('__').map((z) => z.trim()).filter((z) => z));

export class VolumeZone implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = 'VolumeZone';
  constructor(private readonly h: Handle) {}

  /** upstream getPVbyPod: the zone/region constraints of the pod's bound volumes */
  topologies(pod: Pod): PVTopology[] | Status {
    const vl = this.h.listers.volumes;
    const out: PVTopology[] = [];
    for (const v of pod.spec.volumes ?? []) {
      if (!v.persistentVolumeClaim) continue;
      const claimName = v.persistentVolumeClaim.claimName;
      if (!claimName) return Status.unresolvable('PersistentVolumeClaim had no name');
      const pvc = vl.pvc(pod.metadata.namespace, claimName);
      if (!pvc) return Status.unresolvable(notFound('persistentvolumeclaim', claimName));
      const pvName = pvc.spec?.volumeName ?? '';
      if (!pvName) {
        const sc = claimClass(pvc);
        if (!sc) return Status.unresolvable('PersistentVolumeClaim had no pv name and storageClass name');
        const cls = vl.storageClasses.get(sc);
        if (!cls) return Status.unresolvable(notFound('storageclass.storage.k8s.io', sc));
        if (!cls.volumeBindingMode) return Status.unresolvable(`VolumeBindingMode not set for StorageClass "${sc}"`);
        if (cls.volumeBindingMode === WAIT_FOR_FIRST_CONSUMER) continue;
        return Status.unresolvable('PersistentVolume had no name');
      }
      const pv = vl.pv(pvName);
      if (!pv) return Status.unresolvable(notFound('persistentvolume', pvName));
      for (const key of TOPOLOGY_LABELS) {
        const val = pv.metadata.labels?.[key];
        if (val !== undefined) out.push({ pvName, key, values: labelZonesToSet(val) });
      }
    }
    return out;
  }

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    const t = this.topologies(pod);
    if (t instanceof Status) return { status: t };
    if (t.length === 0) return { status: Status.skip() };
    state.set(STATE_KEY, t);
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    if (!pod.spec.volumes?.length) return Status.success();
    let t = state.get(STATE_KEY) as PVTopology[] | undefined;
    if (!t) {
      const r = this.topologies(pod);
      if (r instanceof Status) return r;
      t = r;
    }
    const labels = node.node?.metadata.labels ?? {};
    if (!TOPOLOGY_LABELS.some((k) => Object.hasOwn(labels, k))) return Status.success();
    for (const pt of t) {
      let v = Object.hasOwn(labels, pt.key) ? labels[pt.key] : undefined;
      if (v === undefined && GA_LABEL[pt.key] && Object.hasOwn(labels, GA_LABEL[pt.key])) v = labels[GA_LABEL[pt.key]];
      if (v === undefined || !pt.values.has(v)) return Status.unresolvable(ERR_REASON_CONFLICT);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'StorageClass', action: Action.Add },
      { resource: 'Node', action: Action.Add | Action.UpdateNodeLabel | Action.UpdateNodeTaint },
      { resource: 'PersistentVolumeClaim', action: Action.Add | Action.Update },
      { resource: 'PersistentVolume', action: Action.Add | Action.Update },
    ];
  }
}
