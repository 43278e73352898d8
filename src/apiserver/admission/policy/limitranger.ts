// LimitRanger (upstream plugin/pkg/admission/limitranger): the LimitRanges of a namespace give
// containers default requests/limits when a pod is created, and bound what pods and
// PersistentVolumeClaims may ask for (min, max, maxLimitRequestRatio).
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import type { APIServer } from '../../server.js';
import { type Quantity } from '../../../machinery/quantity.js';
import { aggregate, cachedIn, forbidden, podResources, resourceList, type PodSpec, type ResourceList } from './common.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

interface LimitRangeItem {
  type?: string;
  max?: Record<string, string>; min?: Record<string, string>;
  default?: Record<string, string>; defaultRequest?: Record<string, string>;
  maxLimitRequestRatio?: Record<string, string>;
}

function itemsOf(lr: KObject): LimitRangeItem[] {
  return ((lr.spec as { limits?: LimitRangeItem[] } | undefined)?.limits ?? []);
}

/** upstream SetDefaults_LimitRangeItem, applied again in case the stored object predates it */
function effectiveDefaults(item: LimitRangeItem): { limits: Record<string, string>; requests: Record<string, string> } {
  const limits: Record<string, string> = { ...(item.max ?? {}), ...(item.default ?? {}) };
  const requests: Record<string, string> = { ...(item.min ?? {}), ...limits, ...(item.defaultRequest ?? {}) };
  return { limits, requests };
}

type Container = { name?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

/** fill missing requests/limits from the Container defaults; returns the annotation parts */
function mergeContainer(c: Container, defaults: { limits: Record<string, string>; requests: Record<string, string> }, kind: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    if (res.limits?.[k] === undefined) { (res.limits ??= {})[k] = v; setLimits.push(k); }
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    if (res.requests?.[k] === undefined) { (res.requests ??= {})[k] = v; setRequests.push(k); }
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(', ')} request for ${kind} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(', ')} limit for ${kind} ${c.name}`);
  return out;
}

/** admit: apply the defaults of every Container item of every LimitRange to a new pod */
export function defaultPod(pod: KObject, limitRanges: KObject[]): void {
  const spec = pod.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
  if (!spec) return;
  for (const lr of limitRanges) {
    const defaults = { limits: {} as Record<string, string>, requests: {} as Record<string, string> };
    for (const item of itemsOf(lr)) {
      if (item.type !== 'Container') continue;
      const d = effectiveDefaults(item);
      Object.assign(defaults.limits, d.limits);
      Object.assign(defaults.requests, d.requests);
    }
    const notes: string[] = [];
    for (const c of spec.containers ?? []) notes.push(...mergeContainer(c, defaults, 'container'));
    for (const c of spec.initContainers ?? []) notes.push(...mergeContainer(c, defaults, 'init container'));
    if (notes.length) {
      (pod.metadata!.annotations ??= {})[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${notes.join('; ')}`;
    }
  }
}

function minConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList, needRequest = true): string | undefined {
  const r = req[name]; const l = lim[name];
  if (!r) return needRequest ? `minimum ${name} usage per ${type} is ${enforced}.  No request is specified` : undefined;
  if (r.cmp(enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${r}`;
  if (l && l.cmp(enforced) < 0) return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${l}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req[name]; const l = lim[name];
  if (!l) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (l.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${l}`;
  if (r && r.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${r}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, req: ResourceList): string | undefined {
  const r = req[name];
  if (!r) return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r.cmp(enforced) > 0) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${r}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req[name]; const l = lim[name];
  if (!r || r.isZero()) return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!l || l.isZero()) return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  // lim/req > enforced  ⇔  lim > enforced × req (exact in nano-units)
  if (l.nanos * 1_000_000_000n > enforced.nanos * r.nanos) {
    const ratio = Number(l.nanos) / Number(r.nanos);
    return `${name} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${ratio.toFixed(6)}`;
  }
  return undefined;
}

function checkBounds(item: LimitRangeItem, type: string, req: ResourceList, lim: ResourceList, errs: string[]): void {
  const push = (m: string | undefined) => { if (m) errs.push(m); };
  for (const [k, v] of Object.entries(resourceList(item.min))) push(minConstraint(type, k, v, req, lim));
  for (const [k, v] of Object.entries(resourceList(item.max))) push(maxConstraint(type, k, v, req, lim));
  for (const [k, v] of Object.entries(resourceList(item.maxLimitRequestRatio))) push(ratioConstraint(type, k, v, req, lim));
}

/** validate: the messages of every bound a pod breaks */
export function podViolations(pod: KObject, limitRanges: KObject[]): string[] {
  const spec = pod.spec as PodSpec | undefined;
  const errs: string[] = [];
  for (const lr of limitRanges) {
    for (const item of itemsOf(lr)) {
      if (item.type === 'Container') {
        for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
          checkBounds(item, 'Container', resourceList(c.resources?.requests), resourceList(c.resources?.limits), errs);
        }
      } else if (item.type === 'Pod') {
        // the pod's own limits ignore overhead, as upstream's validation does
        const noOverhead = { ...spec, overhead: undefined };
        checkBounds(item, 'Pod', podResources(noOverhead, 'requests'), podResources(noOverhead, 'limits'), errs);
      }
    }
  }
  return errs;
}

export function pvcViolations(pvc: KObject, limitRanges: KObject[]): string[] {
  const res = (pvc.spec as { resources?: { requests?: unknown; limits?: unknown } } | undefined)?.resources;
  const req = resourceList(res?.requests);
  const errs: string[] = [];
  for (const lr of limitRanges) {
    for (const item of itemsOf(lr)) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const [k, v] of Object.entries(resourceList(item.min))) {
        const m = minConstraint('PersistentVolumeClaim', k, v, req, {});
        if (m) errs.push(m);
      }
      for (const [k, v] of Object.entries(resourceList(item.max))) {
        const m = maxRequestConstraint('PersistentVolumeClaim', k, v, req);
        if (m) errs.push(m);
      }
    }
  }
  return errs;
}

/** upstream SupportsAttributes: pods on create, PVCs on create/update, never subresources */
function applies(a: AdmissionAttributes): 'pod' | 'pvc' | undefined {
  if (a.subresource || a.type.group !== '' || !a.object) return undefined;
  if (a.type.resource === 'pods' && a.operation === 'CREATE') return 'pod';
  if (a.type.resource === 'persistentvolumeclaims' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return 'pvc';
  return undefined;
}

export function limitRanger(server: () => APIServer): AdmissionPlugin {
  const ranges = (ns: string) => cachedIn(server(), '', 'v1', 'limitranges', ns)
    .sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''));
  return {
    name: 'LimitRanger',
    admit(a) {
      if (applies(a) !== 'pod') return;
      defaultPod(a.object!, ranges(a.namespace));
    },
    validate(a) {
      const kind = applies(a);
      if (!kind) return;
      const lrs = ranges(a.namespace);
      if (lrs.length === 0) return;
      const errs = kind === 'pod' ? podViolations(a.object!, lrs) : pvcViolations(a.object!, lrs);
      if (errs.length) throw forbidden(a, aggregate(errs));
    },
  };
}
