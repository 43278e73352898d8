// What the endpoints, endpointslice and mirroring controllers share (upstream
// k8s.io/endpointslice/util and pkg/controller/util/endpoint): the shapes of Services, Pods and
// Endpoints they read, which pods belong in endpoints, named target port resolution, and which
// Services a pod change concerns.
import type { Obj } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';

export interface ServicePort {
  name?: string; protocol?: string; appProtocol?: string; port: number; targetPort?: number | string; nodePort?: number;
}
export type Service = Obj & {
  spec?: {
    selector?: Record<string, string> | null;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    type?: string;
    publishNotReadyAddresses?: boolean;
  };
  metadata: Obj['metadata'] & { creationTimestamp?: string; annotations?: Record<string, string> };
};

export interface ContainerPort { name?: string; containerPort: number; protocol?: string }
export interface Container { name: string; ports?: ContainerPort[]; restartPolicy?: string }
export type EPPod = Obj & {
  spec?: { nodeName?: string; hostname?: string; subdomain?: string; containers?: Container[]; initContainers?: Container[] };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
};

export interface ObjectReference { kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string }
export interface EndpointAddress { ip: string; hostname?: string; nodeName?: string; targetRef?: ObjectReference }
export interface EndpointPort { name?: string; port: number; protocol?: string; appProtocol?: string }
export interface EndpointSubset { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: EndpointPort[] }
export type Endpoints = Obj & {
  metadata: Obj['metadata'] & { annotations?: Record<string, string> };
  subsets?: EndpointSubset[];
};

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const ANNOTATION_LEADER = 'control-plane.alpha.kubernetes.io/leader';
export const ANNOTATION_LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function isPodReady(p: EPPod): boolean {
  return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** ShouldPodBeInEndpoints: not terminal, has an IP, and (unless includeTerminating) not being deleted. */
export function shouldPodBeInEndpoints(p: EPPod, includeTerminating: boolean): boolean {
  const phase = p.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!p.status?.podIP && !(p.status?.podIPs?.length)) return false;
  if (!includeTerminating && p.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and sits in the Service's subdomain. */
export function shouldSetHostname(p: EPPod, svc: Service): boolean {
  return Boolean(p.spec?.hostname) && p.spec?.subdomain === svc.metadata.name && svc.metadata.namespace === p.metadata.namespace;
}

/** isServiceIPSet: a ClusterIP that is neither empty nor "None". */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return Boolean(ip) && ip !== 'None';
}

/**
 * FindPort: a numeric targetPort is used as is (absent means the service port, as the API server
 * defaults it); a name is looked up among the containers' ports (and sidecar init containers')
 * with the same protocol. Undefined when the pod has no such port.
 */
export function findPort(p: EPPod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? 'TCP';
  const search = (cs: Container[] | undefined, sidecarsOnly: boolean) => {
    for (const c of cs ?? []) {
      if (sidecarsOnly && c.restartPolicy !== 'Always') continue;
      for (const port of c.ports ?? []) if (port.name === target && (port.protocol ?? 'TCP') === proto) return port.containerPort;
    }
    return undefined;
  };
  return search(p.spec?.containers, false) ?? search(p.spec?.initContainers, true);
}

/** The pod's IPs (status.podIPs, else status.podIP). */
export function podIPs(p: EPPod): string[] {
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter(Boolean);
  if (ips.length) return ips;
  return p.status?.podIP ? [p.status.podIP] : [];
}

export const isIPv6 = (ip: string): boolean => ip.includes(':');

/** A Service selects pods only with a non-empty selector (an empty map round-trips as nil upstream). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}

function sameStringMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {}), kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => a![k] === b?.[k]);
}

/** podEndpointsChanged: [the pod's endpoint may have changed, its Service membership may have changed]. */
export function podEndpointsChanged(old: EPPod, cur: EPPod): [boolean, boolean] {
  const labelsChanged = !sameStringMap(old.metadata.labels, cur.metadata.labels)
    || old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain;
  if (old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp) return [true, labelsChanged];
  if (isPodReady(old) !== isPodReady(cur)) return [true, labelsChanged];
  const a = podIPs(old), b = podIPs(cur);
  if (a.length !== b.length || a.some((ip, i) => ip !== b[i])) return [true, labelsChanged];
  return [false, labelsChanged];
}

/** Keys of the Services in `services` whose selector matches `labels`. */
function servicesFor(services: Service[], labels: Record<string, string> | undefined): Set<string> {
  const out = new Set<string>();
  for (const s of services) {
    const sel = serviceSelector(s);
    if (sel && selectorMatches(sel, labels)) out.add(`${s.metadata.namespace}/${s.metadata.name}`);
  }
  return out;
}

/** Services a pod add/delete concerns: those selecting it. */
export function servicesForPod(services: Service[], p: EPPod): Set<string> {
  return servicesFor(services, p.metadata.labels);
}

/**
 * GetServicesToUpdateOnPodChange: nothing when neither the endpoint nor the labels changed; with a
 * label change, the union of old and new Services when the endpoint changed too, else only the
 * Services the pod joined or left.
 */
export function servicesToUpdateOnPodChange(services: Service[], old: EPPod, cur: EPPod): Set<string> {
  if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return new Set();
  const [podChanged, labelsChanged] = podEndpointsChanged(old, cur);
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesFor(services, cur.metadata.labels);
  if (!labelsChanged) return now;
  const before = servicesFor(services, old.metadata.labels);
  if (podChanged) return new Set([...now, ...before]);
  const out = new Set<string>();
  for (const k of now) if (!before.has(k)) out.add(k);
  for (const k of before) if (!now.has(k)) out.add(k);
  return out;
}

/** A create refused because the namespace is terminating: dropping the item is right (upstream). */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof APIError)) return false;
  const status = err.status as { details?: { causes?: { type?: string }[] } } | undefined;
  return Boolean(status?.details?.causes?.some((c) => c.type === 'NamespaceTerminating'));
}

/** Go's time.RFC3339Nano of a UTC time: fractional seconds with trailing zeros dropped. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const f = frac.replace(/0+$/, '');
    return f ? `.${f}Z` : 'Z';
  });
}

/** getEndpointSlicePrefix: "<name>-" unless that is too long for a name, then the name itself. */
export function endpointSlicePrefix(name: string): string {
  return `${name}-`.length <= 253 ? `${name}-` : name;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const ka = Object.keys(ao).filter((k) => ao[k] !== undefined), kb = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual(ao[k], bo[k]));
}
