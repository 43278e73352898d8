// Defaults for core/v1 kinds other than pods and pod controllers.

import { child, isObj, items, maybe, setDefault, type Obj } from './util.js';
import { defaultPersistentVolumeClaimSpec, defaultResourceList } from './pod.js';

const unset = (v: unknown): boolean => v === undefined || v === null;

export function defaultService(obj: Obj): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = maybe(maybe(spec, 'sessionAffinityConfig'), 'clientIP');
    if (!clientIP || unset(clientIP.timeoutSeconds)) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of items(spec, 'ports')) {
    setDefault(port, 'protocol', 'TCP');
    if (unset(port.targetPort) || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  const externallyAccessible = spec.type === 'LoadBalancer' || spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (unset(spec.internalTrafficPolicy) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(String(spec.type))) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && unset(spec.allocateLoadBalancerNodePorts)) spec.allocateLoadBalancerNodePorts = true;
  // The service registry picks IP families on a single-stack IPv4 cluster; ExternalName has none.
  if (spec.type !== 'ExternalName') {
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
  if (spec.type === 'LoadBalancer') {
    for (const ing of items(maybe(maybe(obj, 'status'), 'loadBalancer'), 'ingress')) {
      if (ing.ip && unset(ing.ipMode)) ing.ipMode = 'VIP';
    }
  }
}

export function defaultSecret(obj: Obj): void {
  setDefault(obj, 'type', 'Opaque');
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function defaultNamespace(obj: Obj): void {
  const meta = child(obj, 'metadata');
  if (typeof meta.name === 'string' && meta.name) {
    const labels = child(meta, 'labels');
    labels[NAMESPACE_NAME_LABEL] = meta.name;
  }
  // the namespace registry's PrepareForCreate adds the "kubernetes" finalizer
  const spec = child(obj, 'spec');
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  setDefault(child(obj, 'status'), 'phase', 'Active');
}

export function defaultNode(obj: Obj): void {
  const status = maybe(obj, 'status');
  if (status) {
    defaultResourceList(status.capacity);
    defaultResourceList(status.allocatable);
    if (unset(status.allocatable) && isObj(status.capacity)) status.allocatable = { ...status.capacity };
  }
}

export function defaultPersistentVolume(obj: Obj): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  defaultResourceList(spec.capacity);
  setDefault(child(obj, 'status'), 'phase', 'Pending');
}

export function defaultPersistentVolumeClaim(obj: Obj): void {
  defaultPersistentVolumeClaimSpec(child(obj, 'spec'));
  setDefault(child(obj, 'status'), 'phase', 'Pending');
}

export function defaultEndpoints(obj: Obj): void {
  for (const subset of items(obj, 'subsets')) for (const p of items(subset, 'ports')) setDefault(p, 'protocol', 'TCP');
}

export function defaultLimitRange(obj: Obj): void {
  for (const item of items(maybe(obj, 'spec'), 'limits')) {
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) defaultResourceList(item[k]);
    if (item.type !== 'Container') continue;
    const dflt = child(item, 'default');
    const dreq = child(item, 'defaultRequest');
    for (const [k, v] of Object.entries(maybe(item, 'max') ?? {})) if (!(k in dflt)) dflt[k] = v;
    for (const [k, v] of Object.entries(dflt)) if (!(k in dreq)) dreq[k] = v;
    for (const [k, v] of Object.entries(maybe(item, 'min') ?? {})) if (!(k in dreq)) dreq[k] = v;
  }
}

export function defaultResourceQuota(obj: Obj): void {
  defaultResourceList(maybe(obj, 'spec')?.hard);
}
