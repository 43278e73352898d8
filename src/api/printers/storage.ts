// storage.k8s.io: storage classes, CSI drivers and nodes, volume attachments.

import type { Printer } from '../types.js';
import { ageColumn, ageOf, arr, asMap, bool, col, get, nameColumn, nameOf, str, strs } from './util.js';

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const storageClassPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Provisioner', 'string', 'The type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'The reclaim policy of volumes this class provisions (Delete by default).'),
    col('VolumeBindingMode', 'string', 'How PersistentVolumeClaims should be provisioned and bound (Immediate by default).'),
    col('AllowVolumeExpansion', 'string', 'Whether the storage class allows volume expansion.'),
    ageColumn(),
  ],
  cells(o, now) {
    const ann = asMap(o.metadata?.annotations);
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => ann[a] === 'true');
    return [isDefault ? `${nameOf(o)} (default)` : nameOf(o), str(o, 'provisioner'), str(o, 'reclaimPolicy') || 'Delete',
      str(o, 'volumeBindingMode') || 'Immediate', bool(o, 'allowVolumeExpansion') ?? false, ageOf(o, now)];
  },
};

export const csiDriverPrinter: Printer = {
  columns: [
    nameColumn(),
    col('AttachRequired', 'boolean', 'Whether the driver needs an attach operation (default true).'),
    col('PodInfoOnMount', 'boolean', 'Whether the driver receives pod information on mount (default false).'),
    col('StorageCapacity', 'boolean', 'Whether the scheduler considers published storage capacity (default false).'),
    col('TokenRequests', 'string', 'Audiences of the service account tokens passed to the driver.'),
    col('RequiresRepublish', 'boolean', 'Whether the driver wants NodePublishVolume called periodically (default false).'),
    col('Modes', 'string', 'The volume lifecycle modes the driver supports.'),
    ageColumn(),
  ],
  cells(o, now) {
    const tokenRequests = get(o, 'spec.tokenRequests');
    const tokens = Array.isArray(tokenRequests) ? arr(o, 'spec.tokenRequests').map((t) => str(t, 'audience')).join(',') : '<unset>';
    const modes = strs(o, 'spec.volumeLifecycleModes').join(',') || '<none>';
    return [nameOf(o), bool(o, 'spec.attachRequired') ?? true, bool(o, 'spec.podInfoOnMount') ?? false,
      bool(o, 'spec.storageCapacity') ?? false, tokens, bool(o, 'spec.requiresRepublish') ?? false, modes, ageOf(o, now)];
  },
};

export const csiNodePrinter: Printer = {
  columns: [nameColumn(), col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn()],
  cells: (o, now) => [nameOf(o), arr(o, 'spec.drivers').length, ageOf(o, now)],
};

export const volumeAttachmentPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Attacher', 'string', 'The name of the volume driver that must handle this request.', 0, 'name'),
    col('PV', 'string', 'The name of the persistent volume to attach.'),
    col('Node', 'string', 'The node the volume should be attached to.'),
    col('Attached', 'boolean', 'Whether the volume is successfully attached.'),
    ageColumn(),
  ],
  cells: (o, now) => [nameOf(o), str(o, 'spec.attacher'), str(o, 'spec.source.persistentVolumeName'), str(o, 'spec.nodeName'),
    bool(o, 'status.attached') ?? false, ageOf(o, now)],
};
