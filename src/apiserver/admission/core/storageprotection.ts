// StorageObjectInUseProtection admission (upstream plugin/pkg/admission/storage/storageobjectinuseprotection):
// new PVCs and PVs carry a finalizer so the protection controllers can hold deletion while in use.
import type { AdmissionPlugin } from '../../chain.js';
import { isResource } from './util.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export function newStorageObjectInUseProtectionPlugin(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    admit(a) {
      if (a.operation !== 'CREATE' || a.subresource !== '' || !a.object) return;
      const finalizer = isResource(a, '', 'persistentvolumeclaims') ? PVC_PROTECTION_FINALIZER
        : isResource(a, '', 'persistentvolumes') ? PV_PROTECTION_FINALIZER : undefined;
      if (!finalizer) return;
      const meta = (a.object.metadata ??= {});
      const finalizers = (meta.finalizers ??= []);
      if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
    },
  };
}
