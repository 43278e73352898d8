// What the volume plugins look up: PersistentVolumeClaims, PersistentVolumes, StorageClasses and
// CSINodes from reflectors, with an "assume" overlay (upstream volumebinding's assume cache): the
// PV claimRef / PVC selected-node a scheduling cycle decided on is visible to the next cycles
// before the API server echoes it back. Plus the helpers upstream keeps in storage/volume/util.
import type { RESTClient } from '../client/rest.js';
import { reflect } from '../client/reflector.js';
import { quantityValue } from './resources.js';
import { Action, type ClusterEvent, type Meta, type Node, type NodeSelectorTerm, type Pod } from './types.js';
import { matchTerm } from './plugins/nodeaffinity.js';

export interface ObjectRef { kind?: string; apiVersion?: string; namespace?: string; name: string; uid?: string; resourceVersion?: string }
export interface PersistentVolumeClaim {
  apiVersion?: string; kind?: string;
  metadata: Meta & { annotations?: Record<string, string> };
  spec?: {
    accessModes?: string[]; volumeName?: string; storageClassName?: string | null; volumeMode?: string;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | null;
    resources?: { requests?: Record<string, string | number> };
  };
  status?: { phase?: string };
}
export interface PersistentVolume {
  apiVersion?: string; kind?: string;
  metadata: Meta & { annotations?: Record<string, string> };
  spec?: {
    capacity?: Record<string, string | number>; accessModes?: string[]; storageClassName?: string; volumeMode?: string;
    claimRef?: ObjectRef | null; csi?: { driver: string; volumeHandle: string } | null;
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } | null } | null;
  };
  status?: { phase?: string };
}
export interface StorageClass {
  metadata: Meta; provisioner?: string; volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
}
export interface CSINode { metadata: Meta; spec?: { drivers?: { name: string; allocatable?: { count?: number } | null }[] } }

export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';
export const WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer';

/** upstream GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName */
export function claimClass(c: PersistentVolumeClaim): string {
  const ann = c.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  return c.spec?.storageClassName ?? '';
}
/** upstream GetPersistentVolumeClass */
export function volumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  return pv.spec?.storageClassName ?? '';
}
/** upstream isPVCFullyBound: a volume name and the PV controller's bind-completed annotation */
export const claimFullyBound = (c: PersistentVolumeClaim): boolean =>
  !!c.spec?.volumeName && Object.hasOwn(c.metadata.annotations ?? {}, ANN_BIND_COMPLETED);

/** upstream CheckNodeAffinity: a PV without required node affinity fits every node */
export function volumeFitsNode(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => matchTerm(t, node));
}

/** upstream MatchTopologySelectorTerms: no terms match everything; otherwise one term's every expression */
export function topologyFits(sc: StorageClass, labels: Record<string, string>): boolean {
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => Object.hasOwn(labels, e.key) && e.values.includes(labels[e.key])));
}

export const storageRequest = (c: PersistentVolumeClaim): number => quantityValue('storage', c.spec?.resources?.requests?.storage);
export const storageCapacity = (pv: PersistentVolume): number => quantityValue('storage', pv.spec?.capacity?.storage);

/** The claim names a pod's volumes use, with generic ephemeral volumes' generated names (pod-volume). */
export function podClaimNames(pod: Pod): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ name: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ name: `${pod.metadata.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

export const notFound = (resource: string, name: string): string => `${resource} "${name}" not found`;

const key = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

export class VolumeListers {
  private readonly pvcs = new Map<string, PersistentVolumeClaim>();
  private readonly pvs = new Map<string, PersistentVolume>();
  /** PVs by storage class, for matching unbound claims without scanning every PV */
  private readonly pvsByClass = new Map<string, Map<string, PersistentVolume>>();
  readonly storageClasses = new Map<string, StorageClass>();
  readonly csiNodes = new Map<string, CSINode>();
  /** decisions of scheduling cycles not yet echoed by the API server */
  private readonly assumedPVs = new Map<string, PersistentVolume>();
  private readonly assumedPVCs = new Map<string, PersistentVolumeClaim>();
  /** cluster events for the scheduling queue (set by the scheduler) */
  onEvent: (e: ClusterEvent, obj: unknown) => void = () => {};

  pvc(ns: string | undefined, name: string): PersistentVolumeClaim | undefined {
    const k = key(ns, name);
    return this.assumedPVCs.get(k) ?? this.pvcs.get(k);
  }
  pv(name: string): PersistentVolume | undefined { return this.assumedPVs.get(name) ?? this.pvs.get(name); }
  /** PVs of a storage class ('' for none), the assumed versions where there are any */
  pvsOfClass(cls: string): PersistentVolume[] {
    return [...(this.pvsByClass.get(cls)?.values() ?? [])].map((pv) => this.assumedPVs.get(pv.metadata.name) ?? pv);
  }

  assumePV(pv: PersistentVolume): void { this.assumedPVs.set(pv.metadata.name, pv); }
  assumePVC(c: PersistentVolumeClaim): void { this.assumedPVCs.set(key(c.metadata.namespace, c.metadata.name), c); }
  restorePV(name: string): void { this.assumedPVs.delete(name); }
  restorePVC(ns: string | undefined, name: string): void { this.assumedPVCs.delete(key(ns, name)); }

  private action(type: string): number { return type === 'ADDED' ? Action.Add : type === 'DELETED' ? Action.Delete : Action.UpdateOther; }

  onPVC(type: string, c: PersistentVolumeClaim): void {
    const k = key(c.metadata.namespace, c.metadata.name);
    this.assumedPVCs.delete(k);
    if (type === 'DELETED') this.pvcs.delete(k); else this.pvcs.set(k, c);
    this.onEvent({ resource: 'PersistentVolumeClaim', action: this.action(type) }, c);
  }
  onPV(type: string, pv: PersistentVolume): void {
    const name = pv.metadata.name;
    this.assumedPVs.delete(name);
    const old = this.pvs.get(name);
    if (old) this.pvsByClass.get(volumeClass(old))?.delete(name);
    if (type === 'DELETED') this.pvs.delete(name);
    else {
      this.pvs.set(name, pv);
      const cls = volumeClass(pv);
      let m = this.pvsByClass.get(cls);
      if (!m) this.pvsByClass.set(cls, (m = new Map()));
      m.set(name, pv);
    }
    this.onEvent({ resource: 'PersistentVolume', action: this.action(type) }, pv);
  }
  onStorageClass(type: string, sc: StorageClass): void {
    if (type === 'DELETED') this.storageClasses.delete(sc.metadata.name); else this.storageClasses.set(sc.metadata.name, sc);
    this.onEvent({ resource: 'StorageClass', action: this.action(type) }, sc);
  }
  onCSINode(type: string, n: CSINode): void {
    if (type === 'DELETED') this.csiNodes.delete(n.metadata.name); else this.csiNodes.set(n.metadata.name, n);
    this.onEvent({ resource: 'CSINode', action: this.action(type) }, n);
  }

  async start(client: RESTClient, log?: (m: string) => void): Promise<(() => void)[]> {
    const rs = await Promise.all([
      reflect(client, '/api/v1/persistentvolumeclaims', (t, o) => this.onPVC(t, o as unknown as PersistentVolumeClaim), { log }),
      reflect(client, '/api/v1/persistentvolumes', (t, o) => this.onPV(t, o as unknown as PersistentVolume), { log }),
      reflect(client, '/apis/storage.k8s.io/v1/storageclasses', (t, o) => this.onStorageClass(t, o as unknown as StorageClass), { log }),
      reflect(client, '/apis/storage.k8s.io/v1/csinodes', (t, o) => this.onCSINode(t, o as unknown as CSINode), { log }),
    ]);
    return rs.map((r) => () => r.stop());
  }
}
