// VolumeBinding (upstream plugins/volumebinding): pods with PersistentVolumeClaims.
// - PreFilter: every claim must exist and not be terminating; a claim not yet bound whose class
//   binds immediately makes the pod unschedulable until the PV controller binds it.
// - Filter: bound claims' PVs must allow the node (node affinity); claims waiting for their first
//   consumer need, on that node, an available PV that matches (class, size, access and volume
//   modes, selector, node affinity; the smallest wins) or a provisioner whose class's
//   allowedTopologies fit the node.
// - Reserve: the choice is assumed (PV claimRef / PVC selected-node) so the next cycles see it.
// - PreBind: writes the PVs' claimRef and the claims' volume.kubernetes.io/selected-node, then
//   waits until the PV controller (or provisioner) has bound every claim, within bindTimeoutSeconds.
import type { RESTClient } from '../../client/rest.js';
import { selectorFromLabelSelectorOrThrow } from '../../machinery/labels/selector.js';
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import {
  Action, Status, type ClusterEvent, type CycleState, type EnqueueExtensions, type FilterPlugin, type Node, type Pod,
  type PreBindPlugin, type PreFilterPlugin, type ReservePlugin,
} from '../types.js';
import {
  ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, claimClass, claimFullyBound, notFound, NOT_SUPPORTED_PROVISIONER,
  podClaimNames, storageCapacity, storageRequest, topologyFits, volumeClass, volumeFitsNode, WAIT_FOR_FIRST_CONSUMER,
  type PersistentVolume, type PersistentVolumeClaim, type VolumeListers,
} from '../volumes.js';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

export interface VolumeBindingArgs { bindTimeoutSeconds?: number }

const STATE_KEY = 'VolumeBinding';
interface PodVolumes { staticBindings: { pv: PersistentVolume; pvc: PersistentVolumeClaim }[]; provisions: PersistentVolumeClaim[] }
interface StateData {
  bound: PersistentVolumeClaim[];
  delayed: PersistentVolumeClaim[];
  byNode: Map<string, PodVolumes>;
  allBound: boolean;
  /** what Reserve assumed, for Unreserve */
  assumed?: PodVolumes;
}

const modeOf = (m: string | undefined) => m || 'Filesystem';
/** upstream IsVolumeBoundToClaim */
const boundToClaim = (pv: PersistentVolume, c: PersistentVolumeClaim) => {
  const r = pv.spec?.claimRef;
  if (!r || r.name !== c.metadata.name || (r.namespace ?? '') !== (c.metadata.namespace ?? '')) return false;
  return !r.uid || r.uid === c.metadata.uid;
};

/**
 * upstream FindMatchingVolume (scheduler path): a PV pre-bound to the claim if it fits the node,
 * else the smallest available, unclaimed PV of the claim's class that satisfies size, volume
 * mode, selector, node affinity and access modes.
 */
export function findMatchingVolume(c: PersistentVolumeClaim, pvs: PersistentVolume[], node: Node, excluded: Set<string>): PersistentVolume | undefined {
  const requested = storageRequest(c);
  const cls = claimClass(c);
  let selector;
  try { selector = c.spec?.selector ? selectorFromLabelSelectorOrThrow(c.spec.selector) : undefined; } catch { return undefined; }
  let best: PersistentVolume | undefined;
  let bestSize = Infinity;
  for (const pv of pvs) {
    if (excluded.has(pv.metadata.name)) continue;
    const size = storageCapacity(pv);
    if (size < requested) continue;
    if (modeOf(pv.spec?.volumeMode) !== modeOf(c.spec?.volumeMode)) continue;
    if (pv.spec?.claimRef && boundToClaim(pv, c)) {
      if (!volumeFitsNode(pv, node)) continue;
      return pv;
    }
    if (pv.status?.phase !== 'Available' || pv.spec?.claimRef) continue;
    if (selector && !selector.matches(pv.metadata.labels ?? {})) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!volumeFitsNode(pv, node)) continue;
    const modes = pv.spec?.accessModes ?? [];
    if (!(c.spec?.accessModes ?? []).every((m) => modes.includes(m))) continue;
    if (size < bestSize) { best = pv; bestSize = size; }
  }
  return best;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions {
  readonly name = 'VolumeBinding';
  private readonly timeoutMs: number;
  /** poll period while waiting for the PV controller in PreBind */
  pollMs = 200;

  constructor(args: VolumeBindingArgs, private readonly h: Handle, private readonly client: RESTClient | undefined) {
    this.timeoutMs = (args.bindTimeoutSeconds ?? 600) * 1000;
  }
  private get vl(): VolumeListers { return this.h.listers.volumes; }

  /** upstream podHasPVCs + GetPodVolumeClaims */
  preFilter(state: CycleState, pod: Pod): { status: Status } {
    const claims = podClaimNames(pod);
    if (claims.length === 0) return { status: Status.skip() };
    const s: StateData = { bound: [], delayed: [], byNode: new Map(), allBound: true };
    let immediate = false;
    for (const { name, ephemeral } of claims) {
      const c = this.vl.pvc(pod.metadata.namespace, name);
      if (!c) {
        return { status: Status.unresolvable(ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : notFound('persistentvolumeclaim', name)) };
      }
      if (c.status?.phase === 'Lost') return { status: Status.unresolvable(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${c.spec?.volumeName ?? ''}"`) };
      if (c.metadata.deletionTimestamp) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
      if (claimFullyBound(c)) { s.bound.push(c); continue; }
      const cls = this.vl.storageClasses.get(claimClass(c));
      const delayed = !!claimClass(c) && cls?.volumeBindingMode === WAIT_FOR_FIRST_CONSUMER;
      if (delayed && !c.spec?.volumeName) s.delayed.push(c); else immediate = true;
    }
    if (immediate) return { status: Status.unresolvable(ERR_UNBOUND_IMMEDIATE) };
    // smallest requests pick first, so they do not take the large volumes (upstream byPVCSize)
    s.delayed.sort((a, b) => storageRequest(a) - storageRequest(b));
    state.set(STATE_KEY, s);
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: Pod, ni: NodeInfo): Status {
    const s = state.get(STATE_KEY) as StateData | undefined;
    const node = ni.node;
    if (!s || !node) return Status.success();
    let boundOK = true, pvsFound = true, unboundOK = true;
    for (const c of s.bound) {
      const pv = this.vl.pv(c.spec!.volumeName!);
      if (!pv) { pvsFound = false; break; }
      if (!volumeFitsNode(pv, node)) { boundOK = false; break; }
    }
    const pv: PodVolumes = { staticBindings: [], provisions: [] };
    if (boundOK && pvsFound && s.delayed.length) {
      const chosen = new Set<string>();
      const toProvision: PersistentVolumeClaim[] = [];
      for (const c of s.delayed) {
        const m = findMatchingVolume(c, this.vl.pvsOfClass(claimClass(c)), node, chosen);
        if (m) { chosen.add(m.metadata.name); pv.staticBindings.push({ pv: m, pvc: c }); } else toProvision.push(c);
      }
      for (const c of toProvision) {
        const clsName = claimClass(c);
        if (!clsName) return Status.error(`no class for claim "${c.metadata.name}"`);
        const cls = this.vl.storageClasses.get(clsName);
        if (!cls) return Status.error(notFound('storageclass.storage.k8s.io', clsName));
        if (!cls.provisioner || cls.provisioner === NOT_SUPPORTED_PROVISIONER || !topologyFits(cls, node.metadata.labels ?? {})) { unboundOK = false; break; }
        pv.provisions.push(c);
      }
    }
    const reasons: string[] = [];
    if (!boundOK) reasons.push(ERR_REASON_NODE_CONFLICT);
    if (!unboundOK) reasons.push(ERR_REASON_BIND_CONFLICT);
    if (!pvsFound) reasons.push(ERR_REASON_PV_NOT_EXIST);
    if (reasons.length) return Status.unresolvable(...reasons);
    s.byNode.set(ni.name, pv);
    return Status.success();
  }

  /** upstream AssumePodVolumes */
  reserve(state: CycleState, _pod: Pod, node: string): Status {
    const s = state.get(STATE_KEY) as StateData | undefined;
    const pv = s?.byNode.get(node);
    if (!s || !pv) { if (s) s.allBound = true; return Status.success(); }
    s.allBound = pv.staticBindings.length === 0 && pv.provisions.length === 0;
    const assumed: PodVolumes = { staticBindings: [], provisions: [] };
    for (const b of pv.staticBindings) {
      if (boundToClaim(b.pv, b.pvc)) continue; // already pre-bound: nothing to write
      const m = b.pvc.metadata;
      const updated: PersistentVolume = {
        ...b.pv,
        metadata: { ...b.pv.metadata, annotations: { ...b.pv.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
        spec: { ...b.pv.spec, claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion } },
      };
      this.vl.assumePV(updated);
      assumed.staticBindings.push({ pv: updated, pvc: b.pvc });
    }
    for (const c of pv.provisions) {
      const updated: PersistentVolumeClaim = { ...c, metadata: { ...c.metadata, annotations: { ...c.metadata.annotations, [ANN_SELECTED_NODE]: node } } };
      this.vl.assumePVC(updated);
      assumed.provisions.push(updated);
    }
    s.assumed = assumed;
    return Status.success();
  }

  unreserve(state: CycleState): void {
    const s = state.get(STATE_KEY) as StateData | undefined;
    if (!s?.assumed) return;
    for (const b of s.assumed.staticBindings) this.vl.restorePV(b.pv.metadata.name);
    for (const c of s.assumed.provisions) this.vl.restorePVC(c.metadata.namespace, c.metadata.name);
    s.assumed = undefined;
  }

  /** upstream BindPodVolumes: the API writes, then wait until every claim is fully bound */
  async preBind(state: CycleState, pod: Pod, node: string): Promise<Status> {
    const s = state.get(STATE_KEY) as StateData | undefined;
    if (!s || s.allBound) return Status.success();
    const assumed = s.assumed;
    if (!assumed) return Status.error(`no pod volumes found for node "${node}"`);
    if (!this.client) return Status.error('no API client to bind volumes with');
    try {
      for (const b of assumed.staticBindings) {
        await this.client.request('PUT', `/api/v1/persistentvolumes/${b.pv.metadata.name}`, b.pv);
      }
      for (const c of assumed.provisions) {
        await this.client.request('PUT', `/api/v1/namespaces/${c.metadata.namespace}/persistentvolumeclaims/${c.metadata.name}`, c);
      }
    } catch (err) {
      return Status.error(`binding volumes: ${(err as Error).message}`);
    }
    const claims = [...s.delayed];
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const r = this.checkBindings(pod, claims, assumed);
      if (r === true) return Status.success();
      if (typeof r === 'string') return Status.error(`binding volumes: ${r}`);
      if (Date.now() >= deadline) return Status.error('binding volumes: timed out waiting for the condition');
      await new Promise((res) => setTimeout(res, this.pollMs));
    }
  }

  /** upstream checkBindings: true when all bound, false to keep waiting, a message when binding was undone */
  private checkBindings(pod: Pod, claims: PersistentVolumeClaim[], assumed: PodVolumes): boolean | string {
    const provisioned = new Set(assumed.provisions.map((c) => c.metadata.name));
    for (const want of claims) {
      const c = this.vl.pvc(pod.metadata.namespace, want.metadata.name);
      if (!c) return notFound('persistentvolumeclaim', want.metadata.name);
      if (provisioned.has(c.metadata.name) && !c.spec?.volumeName && c.metadata.annotations?.[ANN_SELECTED_NODE] === undefined) {
        return `selectedNode annotation reset for PVC "${c.metadata.name}"`;
      }
      if (!claimFullyBound(c)) return false;
      const pv = this.vl.pv(c.spec!.volumeName!);
      if (!pv || !boundToClaim(pv, c)) return false;
    }
    return true;
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'StorageClass', action: Action.Add | Action.Update },
      { resource: 'PersistentVolumeClaim', action: Action.Add | Action.Update },
      { resource: 'PersistentVolume', action: Action.Add | Action.Update },
      { resource: 'Node', action: Action.Add | Action.UpdateNodeLabel | Action.UpdateNodeTaint },
      { resource: 'CSINode', action: Action.Add | Action.Update },
    ];
  }
}
