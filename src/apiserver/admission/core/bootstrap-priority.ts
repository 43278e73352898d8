// Upstream's apiserver post-start hook scheduling/bootstrap-system-priority-classes: the built-in
// system-node-critical and system-cluster-critical PriorityClasses exist once the server is up.
import { StatusError } from '../../../machinery/errors.js';
import type { APIServer } from '../../server.js';
import { SYSTEM_PRIORITY_CLASSES } from './priority.js';

export async function ensureSystemPriorityClasses(server: APIServer): Promise<void> {
  const sr = server.lookup('scheduling.k8s.io', 'v1', 'priorityclasses');
  if (!sr) return;
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    if (sr.store.cache.objects.has(sr.store.key('', pc.metadata!.name!))) continue;
    try {
      await sr.store.create(structuredClone(pc), '', { dryRun: false });
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}
