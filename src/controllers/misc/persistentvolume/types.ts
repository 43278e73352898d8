// The parts of PersistentVolume, PersistentVolumeClaim and StorageClass the volume controllers read,
// and the annotations upstream's pv controller and storage helpers use (pkg/volume/util, storage helpers).
import type { ObjectMeta } from '../../../client/informer.js';

export interface Meta extends ObjectMeta {
  name: string;
  annotations?: Record<string, string>;
  finalizers?: string[];
  creationTimestamp?: string;
}

export interface ClaimRef {
  apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string;
}

export interface PersistentVolume {
  apiVersion?: string; kind?: string;
  metadata: Meta;
  spec: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    volumeMode?: string;
    storageClassName?: string;
    claimRef?: ClaimRef | null;
    persistentVolumeReclaimPolicy?: string;
    hostPath?: { path?: string };
    [k: string]: unknown;
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
  [k: string]: unknown;
}

export interface PersistentVolumeClaim {
  apiVersion?: string; kind?: string;
  metadata: Meta & { namespace: string };
  spec: {
    accessModes?: string[];
    resources?: { requests?: Record<string, string> };
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | null;
    storageClassName?: string | null;
    volumeName?: string;
    volumeMode?: string;
    [k: string]: unknown;
  };
  status?: { phase?: string; accessModes?: string[] | null; capacity?: Record<string, string> | null; [k: string]: unknown };
  [k: string]: unknown;
}

export interface StorageClass {
  metadata: Meta;
  provisioner?: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  [k: string]: unknown;
}

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';

export const hasAnnotation = (m: Meta, k: string): boolean => m.annotations != null && k in m.annotations;

/** the claim's class: the beta annotation wins over spec.storageClassName (storage helpers) */
export function claimClass(c: PersistentVolumeClaim): string {
  const ann = c.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  return c.spec.storageClassName ?? '';
}

export function volumeClass(v: PersistentVolume): string {
  const ann = v.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  return v.spec.storageClassName ?? '';
}

export const claimKey = (c: { metadata: { namespace?: string; name?: string } }): string => `${c.metadata.namespace}/${c.metadata.name}`;
export const claimRefKey = (r: ClaimRef): string => `${r.namespace}/${r.name}`;

/** claimRef points at this claim by name, and by uid when the ref carries one */
export function isVolumeBoundToClaim(v: PersistentVolume, c: PersistentVolumeClaim): boolean {
  const r = v.spec.claimRef;
  if (!r) return false;
  if (r.name !== c.metadata.name || r.namespace !== c.metadata.namespace) return false;
  if (r.uid && r.uid !== c.metadata.uid) return false;
  return true;
}
