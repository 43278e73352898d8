// Helpers shared by the policy admission plugins: upstream's Forbidden error, error aggregation,
// reading objects of one namespace from the watch cache, and resource lists as quantities.
import { StatusError, qualifiedResource } from '../../../machinery/errors.js';
import { parseQuantity, type Quantity } from '../../../machinery/quantity.js';
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes } from '../../chain.js';
import type { APIServer } from '../../server.js';

/** upstream admission.NewForbidden: `pods "x" is forbidden: <msg>` (403) */
export function forbidden(a: AdmissionAttributes, message: string): StatusError {
  const name = a.name || a.object?.metadata?.name || a.object?.metadata?.generateName || '';
  return new StatusError(403, 'Forbidden', `${qualifiedResource(a.type.group, a.type.resource)} "${name}" is forbidden: ${message}`,
    { name, group: a.type.group || undefined, kind: a.type.resource });
}

/** upstream utilerrors.NewAggregate(...).Error(): one message alone, several as "[a, b]" */
export function aggregate(msgs: string[]): string {
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}

/** every cached object of a resource in a namespace */
export function cachedIn(server: APIServer, group: string, version: string, resource: string, namespace: string): KObject[] {
  const sr = server.lookup(group, version, resource);
  if (!sr) return [];
  const prefix = sr.store.listPrefix(namespace);
  const out: KObject[] = [];
  for (const [key, c] of sr.store.cache.objects) if (key.startsWith(prefix)) out.push(c.obj);
  return out;
}

export type ResourceList = Record<string, Quantity>;

/** a ResourceList from its JSON form; values that do not parse are skipped (validation reports them) */
export function resourceList(raw: unknown): ResourceList {
  const out: ResourceList = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    try { out[k] = parseQuantity(v as string); } catch { /* invalid: left to validation */ }
  }
  return out;
}

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? out[k].add(v) : v;
  return out;
}

/** per key, the larger of the two */
export function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) if (!out[k] || v.cmp(out[k]) > 0) out[k] = v;
  return out;
}

interface Container { name?: string; resources?: { requests?: unknown; limits?: unknown } }
export interface PodSpec {
  containers?: Container[];
  initContainers?: (Container & { restartPolicy?: string })[];
  overhead?: unknown;
}

/**
 * A pod's effective requests or limits as upstream's resourcehelper.PodRequests/PodLimits compute
 * them: the sum over app containers (plus restartable init "sidecar" containers), or the largest
 * init container if bigger, plus the pod overhead.
 */
export function podResources(spec: PodSpec | undefined, which: 'requests' | 'limits'): ResourceList {
  let sum: ResourceList = {};
  for (const c of spec?.containers ?? []) sum = addLists(sum, resourceList(c.resources?.[which]));
  let sidecars: ResourceList = {};
  let init: ResourceList = {};
  for (const c of spec?.initContainers ?? []) {
    const r = resourceList(c.resources?.[which]);
    if (c.restartPolicy === 'Always') {
      sidecars = addLists(sidecars, r);
      sum = addLists(sum, r);
    } else {
      init = maxLists(init, addLists(r, sidecars));
    }
  }
  let out = maxLists(sum, init);
  if (spec?.overhead) out = addLists(out, resourceList(spec.overhead));
  return out;
}
