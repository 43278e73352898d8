// What an object counts against a ResourceQuota (upstream pkg/quota/v1/evaluator/core and the
// generic object-count evaluator): usage by resource name, and which names a quota may track.
import type { KObject } from '../../../api/types.js';
import { Quantity, parseQuantity } from '../../../machinery/quantity.js';
import { podResources, resourceList, type PodSpec, type ResourceList } from './common.js';

const ONE = parseQuantity(1);
const count = (n: number) => parseQuantity(n);

/** the count/<resource>[.<group>] name of a resource */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** the legacy names for object counts of core resources ("pods", "services", …) */
const LEGACY_COUNT: Record<string, string> = {
  pods: 'pods', services: 'services', configmaps: 'configmaps', secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims', replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** a pod in a terminal phase, or past its deletion grace period, uses nothing (upstream QuotaV1Pod) */
export function podIsTerminal(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const m = pod.metadata;
  if (m?.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined) {
    const grace = Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000;
    if (Date.now() > grace) return true;
  }
  return false;
}

/** upstream podComputeUsageHelper: requests/limits of a pod or container as quota resource names */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(requests)) {
    if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') { out[k] = v; out[`requests.${k}`] = v; }
    else if (k.startsWith('hugepages-')) out[`requests.${k}`] = v;
    else if (!k.includes('/') || k.includes('.')) out[`requests.${k}`] = v; // extended resources
  }
  for (const [k, v] of Object.entries(limits)) {
    if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') out[`limits.${k}`] = v;
  }
  return out;
}

function podUsage(pod: KObject): ResourceList {
  const out: ResourceList = { pods: ONE, 'count/pods': ONE };
  if (podIsTerminal(pod)) return { 'count/pods': ONE };
  const spec = pod.spec as PodSpec | undefined;
  return { ...out, ...computeUsage(podResources(spec, 'requests'), podResources(spec, 'limits')) };
}

function serviceUsage(svc: KObject): ResourceList {
  const spec = svc.spec as { type?: string; ports?: unknown[] } | undefined;
  const out: ResourceList = { services: ONE, 'count/services': ONE };
  const ports = spec?.ports?.length ?? 0;
  if (spec?.type === 'NodePort') out['services.nodeports'] = count(ports);
  else if (spec?.type === 'LoadBalancer') {
    out['services.loadbalancers'] = ONE;
    out['services.nodeports'] = count(ports);
  }
  return out;
}

function pvcUsage(pvc: KObject): ResourceList {
  const spec = pvc.spec as { storageClassName?: string; resources?: { requests?: unknown } } | undefined;
  const out: ResourceList = { persistentvolumeclaims: ONE, 'count/persistentvolumeclaims': ONE };
  const storage = resourceList(spec?.resources?.requests).storage;
  // upstream charges the larger of the request and the allocated size once a resize is underway
  const allocated = resourceList((pvc.status as { allocatedResources?: unknown } | undefined)?.allocatedResources).storage;
  const charged = storage && allocated && allocated.cmp(storage) > 0 ? allocated : storage;
  const sc = spec?.storageClassName;
  if (sc) out[`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`] = ONE;
  if (charged) {
    out['requests.storage'] = charged;
    if (sc) out[`${sc}.storageclass.storage.k8s.io/requests.storage`] = charged;
  }
  return out;
}

/** everything an object of group/resource uses */
export function usageOf(group: string, resource: string, obj: KObject): ResourceList {
  if (group === '') {
    if (resource === 'pods') return podUsage(obj);
    if (resource === 'services') return serviceUsage(obj);
    if (resource === 'persistentvolumeclaims') return pvcUsage(obj);
    if (LEGACY_COUNT[resource]) return { [LEGACY_COUNT[resource]]: ONE, [objectCountName('', resource)]: ONE };
  }
  return { [objectCountName(group, resource)]: ONE };
}

/** which resource (group, resource) a quota name is about, or undefined if it is not an object count */
export function resourceOfName(name: string): { group: string; resource: string } | undefined {
  if (name.startsWith('count/')) {
    const rest = name.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  if (LEGACY_COUNT[name]) return { group: '', resource: name };
  if (/^(requests|limits)\.|^(cpu|memory|ephemeral-storage)$|^hugepages-/.test(name)) return { group: '', resource: 'pods' };
  if (name.startsWith('services.')) return { group: '', resource: 'services' };
  if (name.endsWith('.storageclass.storage.k8s.io/requests.storage') || name.endsWith('.storageclass.storage.k8s.io/persistentvolumeclaims') || name === 'requests.storage') {
    return { group: '', resource: 'persistentvolumeclaims' };
  }
  return undefined;
}

/** names that, when a quota constrains them, every pod container must request (upstream validationSet) */
export const POD_REQUIRED = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** upstream podEvaluator.Constraints: the "must specify …" message, or undefined */
export function podConstraintError(pod: KObject, hard: string[]): string | undefined {
  const required = POD_REQUIRED.filter((r) => hard.includes(r));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  type C = { name?: string; resources?: { requests?: unknown; limits?: unknown } };
  const spec = pod.spec as { containers?: C[]; initContainers?: C[] } | undefined;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const have = computeUsage(resourceList(c.resources?.requests), resourceList(c.resources?.limits));
    for (const r of required) {
      if (!have[r]) {
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c.name ?? '');
      }
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** keep only the names in `names` */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (list[n]) out[n] = list[n];
  return out;
}

/** upstream prettyPrint: sorted name=value pairs */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list).sort().map((k) => `${k}=${list[k]}`).join(',');
}

export function zero(): Quantity { return parseQuantity(0); }
