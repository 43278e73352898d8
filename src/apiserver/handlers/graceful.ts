// Graceful deletion (upstream's pod RESTGracefulDeleteStrategy): a pod running on a node gets a
// deletionTimestamp and its kubelet finishes the delete; pods not yet scheduled or already
// finished go at once. Other kinds are deleted immediately (unless they carry finalizers).
import type { KObject, ResourceType } from '../../api/types.js';
import type { DeleteOptions } from '../registry/store.js';

export function gracePeriodFor(type: ResourceType): ((obj: KObject, o: DeleteOptions) => number | undefined) | undefined {
  if (type.group !== '' || type.resource !== 'pods') return undefined;
  return (pod, o) => {
    const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return o.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  };
}
