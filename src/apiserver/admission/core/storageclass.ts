// DefaultStorageClass admission (upstream plugin/pkg/admission/storage/storageclass/setdefault): a
// PersistentVolumeClaim that names no class (storageClassName absent, not "") gets the cluster's
// default StorageClass; with several defaults the newest wins.
import type { KObject } from '../../../api/types.js';
import type { AdmissionPlugin } from '../../chain.js';
import { isResource } from './util.js';

export const IS_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const BETA_IS_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export interface StorageClassDeps { storageClasses(): Promise<Iterable<KObject>> | Iterable<KObject> }

export function isDefaultClass(sc: KObject): boolean {
  const ann = sc.metadata?.annotations ?? {};
  return ann[IS_DEFAULT_CLASS] === 'true' || ann[BETA_IS_DEFAULT_CLASS] === 'true';
}

/** newest default class (ties broken by name, as upstream sorts) */
export function defaultStorageClass(classes: Iterable<KObject>): KObject | undefined {
  const defaults = [...classes].filter(isDefaultClass);
  defaults.sort((x, y) => {
    const tx = Date.parse(x.metadata?.creationTimestamp ?? '') || 0;
    const ty = Date.parse(y.metadata?.creationTimestamp ?? '') || 0;
    if (tx !== ty) return ty - tx;
    return (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? '');
  });
  return defaults[0];
}

export function newDefaultStorageClassPlugin(deps: StorageClassDeps): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(a) {
      if (!isResource(a, '', 'persistentvolumeclaims') || a.subresource !== '' || a.operation !== 'CREATE' || !a.object) return;
      const spec = ((a.object as { spec?: { storageClassName?: string | null } }).spec ??= {});
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      if (a.object.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
      const sc = defaultStorageClass(await deps.storageClasses());
      if (sc) spec.storageClassName = sc.metadata!.name!;
    },
  };
}
