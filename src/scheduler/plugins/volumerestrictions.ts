// VolumeRestrictions (upstream plugins/volumerestrictions): inline disks that cannot be mounted by
// two pods on one node (GCE PD and iSCSI unless both read-only, AWS EBS, RBD images) and claims
// with the ReadWriteOncePod access mode, which no other pod in the cluster may be using.
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import { Action, Status, type ClusterEvent, type CycleState, type EnqueueExtensions, type FilterPlugin, type Pod, type PreFilterPlugin, type Volume } from '../types.js';
import { notFound } from '../volumes.js';

export const ERR_REASON_DISK_CONFLICT = 'node(s) had no available disk';
export const ERR_REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

const STATE_KEY = 'PreFilterVolumeRestrictions';
interface PreFilterState { rwopClaims: Set<string>; conflictingRefs: number }

const needsCheck = (v: Volume) => !!(v.gcePersistentDisk || v.awsElasticBlockStore || v.rbd || v.iscsi);

/** upstream isVolumeConflict */
export function isVolumeConflict(v: Volume, pod: Pod): boolean {
  for (const e of pod.spec.volumes ?? []) {
    if (v.gcePersistentDisk && e.gcePersistentDisk && v.gcePersistentDisk.pdName === e.gcePersistentDisk.pdName &&
      !(v.gcePersistentDisk.readOnly && e.gcePersistentDisk.readOnly)) return true;
    if (v.awsElasticBlockStore && e.awsElasticBlockStore && v.awsElasticBlockStore.volumeID === e.awsElasticBlockStore.volumeID) return true;
    if (v.iscsi && e.iscsi && v.iscsi.iqn === e.iscsi.iqn && !(v.iscsi.readOnly && e.iscsi.readOnly)) return true;
    if (v.rbd && e.rbd) {
      const mons = new Set(v.rbd.monitors ?? []);
      const overlap = (e.rbd.monitors ?? []).some((m) => mons.has(m));
      if (overlap && (v.rbd.pool ?? 'rbd') === (e.rbd.pool ?? 'rbd') && v.rbd.image === e.rbd.image && !(v.rbd.readOnly && e.rbd.readOnly)) return true;
    }
  }
  return false;
}

const claimKeys = (pod: Pod): string[] => (pod.spec.volumes ?? [])
  .map((v) => v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${pod.metadata.name}-${v.name}` : undefined))
  .filter((c): c is string => c !== undefined).map((c) => `${pod.metadata.namespace ?? ''}/${c}`);

export class VolumeRestrictions implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = 'VolumeRestrictions';
  constructor(private readonly h: Handle) {}

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    const check = (pod.spec.volumes ?? []).some(needsCheck);
    const rwop = new Set<string>();
    for (const v of pod.spec.volumes ?? []) {
      const name = v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${pod.metadata.name}-${v.name}` : undefined);
      if (name === undefined) continue;
      const c = this.h.listers.volumes.pvc(pod.metadata.namespace, name);
      if (!c) return { status: Status.unresolvable(notFound('persistentvolumeclaim', name)) };
      if (c.spec?.accessModes?.includes('ReadWriteOncePod')) rwop.add(`${pod.metadata.namespace ?? ''}/${name}`);
    }
    let conflictingRefs = 0;
    for (const k of rwop) conflictingRefs += this.h.cache.pvcRefCounts.get(k) ?? 0;
    if (!check && conflictingRefs === 0) return { status: Status.skip() };
    state.set(STATE_KEY, { rwopClaims: rwop, conflictingRefs } satisfies PreFilterState);
    return { status: Status.success() };
  }

  private update(state: CycleState, other: Pod, by: 1 | -1): Status {
    const s = state.get(STATE_KEY) as PreFilterState | undefined;
    if (s) for (const k of claimKeys(other)) if (s.rwopClaims.has(k)) s.conflictingRefs += by;
    return Status.success();
  }
  addPod(state: CycleState, _pod: Pod, other: Pod): Status { return this.update(state, other, 1); }
  removePod(state: CycleState, _pod: Pod, other: Pod): Status { return this.update(state, other, -1); }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    for (const v of pod.spec.volumes ?? []) {
      if (!needsCheck(v)) continue;
      for (const existing of node.pods.values()) if (isVolumeConflict(v, existing)) return Status.unschedulable(ERR_REASON_DISK_CONFLICT);
    }
    const s = state.get(STATE_KEY) as PreFilterState | undefined;
    if (s && s.conflictingRefs > 0) return Status.unresolvable(ERR_REASON_RWOP_CONFLICT);
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Pod', action: Action.Delete },
      { resource: 'PersistentVolumeClaim', action: Action.Add | Action.Update },
      { resource: 'Node', action: Action.Add | Action.UpdateNodeTaint },
    ];
  }
}
