// Pod and PodSpec defaults (pkg/apis/core/v1/defaults.go plus the +default markers of k8s.io/api).
// PodSpec defaults apply to every pod template; the Pod-only extras (requests from limits, service
// links, host-network ports, status) apply to Pod objects alone, as upstream.

import { tryParseQuantity } from '../../machinery/quantity.js';
import { child, isObj, items, maybe, setDefault, type Obj } from './util.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

/** the tag of an image reference as upstream's ParseImageName sees it: untagged and undigested → "latest" */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > lastSlash ? named.slice(colon + 1) : '';
  if (!tag && at < 0) return 'latest';
  return tag;
}

export function defaultImagePullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string' || image === '') return 'IfNotPresent';
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Obj | undefined): void {
  if (!h) return;
  const httpGet = maybe(h, 'httpGet');
  if (httpGet) {
    setDefault(httpGet, 'path', '/');
    setDefault(httpGet, 'scheme', 'HTTP');
  }
  const grpc = maybe(h, 'grpc');
  if (grpc && grpc.service === undefined) grpc.service = '';
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  for (const [k, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === 0) p[k] = v;
  }
  defaultHandler(p);
}

function defaultFieldRef(ref: Obj | undefined): void {
  if (ref) setDefault(ref, 'apiVersion', 'v1');
}
function defaultResourceFieldRef(ref: Obj | undefined): void {
  // Quantity is not omitempty upstream, so an unset divisor reads back as "0"
  if (ref) setDefault(ref, 'divisor', '0');
}

/** canonicalise quantities and round them up to milli-units (SetDefaults_ResourceList) */
export function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    if (q) list[k] = q.roundUp(-3).toString();
  }
}

export function defaultContainer(c: Obj): void {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === '') c.imagePullPolicy = defaultImagePullPolicy(c.image);
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of items(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  const resources = child(c, 'resources');
  defaultResourceList(resources.limits);
  defaultResourceList(resources.requests);
  for (const env of items(c, 'env')) {
    const from = maybe(env, 'valueFrom');
    defaultFieldRef(maybe(from, 'fieldRef'));
    defaultResourceFieldRef(maybe(from, 'resourceFieldRef'));
  }
  defaultProbe(maybe(c, 'livenessProbe'));
  defaultProbe(maybe(c, 'readinessProbe'));
  defaultProbe(maybe(c, 'startupProbe'));
  const lifecycle = maybe(c, 'lifecycle');
  defaultHandler(maybe(lifecycle, 'postStart'));
  defaultHandler(maybe(lifecycle, 'preStop'));
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultDownwardAPIItems(list: Obj[]): void {
  for (const it of list) {
    defaultFieldRef(maybe(it, 'fieldRef'));
    defaultResourceFieldRef(maybe(it, 'resourceFieldRef'));
  }
}

export function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = maybe(v, s);
    if (src && (src.defaultMode === undefined || src.defaultMode === null)) src.defaultMode = 420;
  }
  defaultDownwardAPIItems(items(maybe(v, 'downwardAPI'), 'items'));
  for (const source of items(maybe(v, 'projected'), 'sources')) {
    const sat = maybe(source, 'serviceAccountToken');
    if (sat && (sat.expirationSeconds === undefined || sat.expirationSeconds === null)) sat.expirationSeconds = 3600;
    defaultDownwardAPIItems(items(maybe(source, 'downwardAPI'), 'items'));
  }
  const hostPath = maybe(v, 'hostPath');
  if (hostPath && (hostPath.type === undefined || hostPath.type === null)) hostPath.type = '';
  const emptyDir = maybe(v, 'emptyDir');
  if (emptyDir) defaultResourceList(emptyDir);
  const iscsi = maybe(v, 'iscsi');
  if (iscsi) setDefault(iscsi, 'iscsiInterface', 'default');
  const rbd = maybe(v, 'rbd');
  if (rbd) { setDefault(rbd, 'pool', 'rbd'); setDefault(rbd, 'user', 'admin'); setDefault(rbd, 'keyring', '/etc/ceph/keyring'); }
  const azureDisk = maybe(v, 'azureDisk');
  if (azureDisk) {
    setDefault(azureDisk, 'cachingMode', 'ReadWrite'); setDefault(azureDisk, 'fsType', 'ext4');
    if (azureDisk.readOnly === undefined) azureDisk.readOnly = false;
    setDefault(azureDisk, 'kind', 'Shared');
  }
  const scaleIO = maybe(v, 'scaleIO');
  if (scaleIO) { setDefault(scaleIO, 'storageMode', 'ThinProvisioned'); setDefault(scaleIO, 'fsType', 'xfs'); }
  const claimSpec = maybe(maybe(maybe(v, 'ephemeral'), 'volumeClaimTemplate'), 'spec');
  if (claimSpec) defaultPersistentVolumeClaimSpec(claimSpec);
}

export function defaultPersistentVolumeClaimSpec(spec: Obj): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  const res = maybe(spec, 'resources');
  defaultResourceList(res?.requests);
  defaultResourceList(res?.limits);
}

/** SetDefaults_PodSpec plus nested containers and volumes: what every pod template gets */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = 30;
  }
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of CONTAINER_LISTS) for (const c of items(spec, list)) defaultContainer(c);
  for (const v of items(spec, 'volumes')) defaultVolume(v);
  defaultResourceList(maybe(spec, 'overhead'));
}

/** a PodTemplateSpec inside a controller: metadata is left alone, the spec is defaulted */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  defaultPodSpec(child(template, 'spec'));
}

/** upstream's QoS class: Guaranteed when every container has equal cpu+memory requests and limits, BestEffort when none set any */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...items(spec, 'initContainers'), ...items(spec, 'containers')];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = maybe(c, 'resources');
    const req = maybe(res, 'requests') ?? {};
    const lim = maybe(res, 'limits') ?? {};
    for (const r of ['cpu', 'memory']) {
      const rq = tryParseQuantity(req[r]);
      const lm = tryParseQuantity(lim[r]);
      if ((rq && !rq.isZero()) || (lm && !lm.isZero())) any = true;
      if (!lm || lm.isZero() || (rq && rq.cmp(lm) !== 0)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** SetDefaults_Pod: the pod spec defaults plus the Pod-only ones */
export function defaultPod(pod: Obj): void {
  const spec = child(pod, 'spec');
  for (const list of ['containers', 'initContainers']) {
    for (const c of items(spec, list)) {
      const res = maybe(c, 'resources');
      const limits = maybe(res, 'limits');
      if (!res || !limits) continue;
      const requests = child(res, 'requests');
      for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
    }
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of items(spec, list)) {
        for (const port of items(c, 'ports')) if (!port.hostPort) port.hostPort = port.containerPort;
      }
    }
  }
  defaultPodSpec(spec);
  // the pod registry's PrepareForCreate: a new pod is Pending with its QoS class
  const status = child(pod, 'status');
  setDefault(status, 'phase', 'Pending');
  setDefault(status, 'qosClass', podQOSClass(spec));
}
