// NodeVolumeLimits (upstream plugins/nodevolumelimits, CSI limits): a node's CSINode says how many
// volumes each CSI driver may attach (spec.drivers[].allocatable.count); a pod fits when the
// distinct volumes of its claims, added to those of the pods already on the node, stay within
// every driver's count. Unbound claims count for their StorageClass's provisioner.
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import { Action, Status, type ClusterEvent, type CycleState, type EnqueueExtensions, type FilterPlugin, type Pod } from '../types.js';
import { claimClass, notFound, podClaimNames, type CSINode } from '../volumes.js';

export const ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED = 'node(s) exceed max volume count';

/** upstream getVolumeLimits */
export function volumeLimits(csiNode: CSINode | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of csiNode?.spec?.drivers ?? []) if (typeof d.allocatable?.count === 'number') out.set(d.name, d.allocatable.count);
  return out;
}

export class NodeVolumeLimits implements FilterPlugin, EnqueueExtensions {
  readonly name = 'NodeVolumeLimits';
  constructor(private readonly h: Handle) {}

  /**
   * upstream filterAttachableVolumes: unique volume name → driver. A missing claim is an error
   * for the incoming pod (`newPod`) and ignored for pods already placed.
   */
  attachable(pod: Pod, newPod: boolean, into: Map<string, string>): string | undefined {
    const vl = this.h.listers.volumes;
    for (const { name } of podClaimNames(pod)) {
      const pvc = vl.pvc(pod.metadata.namespace, name);
      if (!pvc) { if (newPod) return notFound('persistentvolumeclaim', name); continue; }
      let driver = '', handle = '';
      const pv = pvc.spec?.volumeName ? vl.pv(pvc.spec.volumeName) : undefined;
      if (pv) {
        if (!pv.spec?.csi) continue;
        driver = pv.spec.csi.driver;
        handle = pv.spec.csi.volumeHandle;
      } else {
        // not bound yet (or its PV is not seen yet): count it for the class's provisioner
        const cls = this.h.listers.volumes.storageClasses.get(claimClass(pvc));
        if (!cls?.provisioner) continue;
        driver = cls.provisioner;
        handle = `${cls.provisioner}-${pod.metadata.namespace ?? ''}/${name}`;
      }
      into.set(`${driver}/${handle}`, driver);
    }
    return undefined;
  }

  filter(_s: CycleState, pod: Pod, node: NodeInfo): Status {
    if (!pod.spec.volumes?.length) return Status.success();
    const csiNode = this.h.listers.volumes.csiNodes.get(node.name);
    const fresh = new Map<string, string>();
    const err = this.attachable(pod, true, fresh);
    if (err) return Status.unresolvable(err);
    if (fresh.size === 0) return Status.success();
    const limits = volumeLimits(csiNode);
    if (limits.size === 0) return Status.success();
    const attached = new Map<string, string>();
    for (const p of node.pods.values()) this.attachable(p, false, attached);
    const attachedCount = new Map<string, number>();
    for (const [unique, driver] of attached) {
      fresh.delete(unique); // a volume shared with a pod already there is attached once
      attachedCount.set(driver, (attachedCount.get(driver) ?? 0) + 1);
    }
    const newCount = new Map<string, number>();
    for (const driver of fresh.values()) newCount.set(driver, (newCount.get(driver) ?? 0) + 1);
    for (const [driver, n] of newCount) {
      const max = limits.get(driver);
      if (max !== undefined && (attachedCount.get(driver) ?? 0) + n > max) return Status.unschedulable(ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'CSINode', action: Action.Add | Action.Update },
      { resource: 'Pod', action: Action.Delete },
      { resource: 'PersistentVolumeClaim', action: Action.Add },
    ];
  }
}
