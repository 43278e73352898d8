// NodeRestriction admission (upstream plugin/pkg/admission/noderestriction): a kubelet (user
// system:node:NAME in group system:nodes) may change only its own Node (not its taints, and no
// labels outside the kubelet's allowed set), create only mirror pods bound to itself, update
// status and delete only pods bound to itself, and use only its own Lease; token requests must be
// bound to a pod on the node. Other users are not affected.
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import { forbidden, isMirrorPod, isResource, podSpec, type PodSpec } from './util.js';

const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

/** labels a kubelet may set on its own Node (k8s.io/kubelet/pkg/apis kubeletLabels) */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

export interface NodeRestrictionDeps {
  /** a pod from the watch cache (for token requests bound to pods) */
  getPod?(namespace: string, name: string): KObject | undefined;
}

/** the node a user acts for, '' if not a node; undefined name when the node cannot be told */
export function nodeIdentity(user: { name: string; groups?: string[] }): { isNode: boolean; name: string } {
  if (!(user.groups ?? []).includes(NODES_GROUP) || !user.name.startsWith(NODE_PREFIX)) return { isNode: false, name: '' };
  return { isNode: true, name: user.name.slice(NODE_PREFIX.length) };
}

function labelNamespace(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

function inNamespace(ns: string, parent: string): boolean {
  return ns === parent || ns.endsWith(`.${parent}`);
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((p) => inNamespace(ns, p));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
}

/** label keys added, removed or changed */
function modifiedLabels(next: Record<string, string> = {}, prev: Record<string, string> = {}): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(next)) if (prev[k] !== v) out.add(k);
  for (const k of Object.keys(prev)) if (!(k in next)) out.add(k);
  return [...out];
}

export function forbiddenLabels(keys: string[]): string[] {
  return keys.filter((k) => inNamespace(labelNamespace(k), NODE_RESTRICTION_NAMESPACE) || (isKubernetesLabel(k) && !isKubeletLabel(k))).sort();
}

function referencesKind(spec: PodSpec, kind: 'secret' | 'configMap' | 'persistentVolumeClaim'): boolean {
  for (const v of spec.volumes ?? []) {
    if (v[kind]) return true;
    const sources = (v.projected as { sources?: Record<string, unknown>[] } | undefined)?.sources ?? [];
    if (kind !== 'persistentVolumeClaim' && sources.some((s) => s[kind])) return true;
  }
  if (kind === 'persistentVolumeClaim') return false;
  if (kind === 'secret' && (spec.imagePullSecrets ?? []).length) return true;
  const ref = kind === 'secret' ? ['secretKeyRef', 'secretRef'] : ['configMapKeyRef', 'configMapRef'];
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    if ((c.env ?? []).some((e) => (e.valueFrom as Record<string, unknown> | undefined)?.[ref[0]])) return true;
    if ((c.envFrom ?? []).some((e) => (e as Record<string, unknown>)[ref[1]])) return true;
  }
  return false;
}

function admitPodCreate(node: string, a: AdmissionAttributes): void {
  const pod = a.object!;
  if (!isMirrorPod(pod)) throw forbidden(a, `pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
  const spec = podSpec(pod);
  if (spec.nodeName !== node) throw forbidden(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.length > 1) throw forbidden(a, `node "${node}" can only create pods with a single owner reference set to itself`);
  if (owners.length === 1) {
    const o = owners[0] as { apiVersion?: string; kind?: string; name?: string; controller?: boolean };
    if (o.apiVersion !== 'v1' || o.kind !== 'Node' || o.name !== node || o.controller !== true) {
      throw forbidden(a, `node "${node}" can only create pods with an owner reference set to itself`);
    }
  }
  if (spec.serviceAccountName) throw forbidden(a, `node "${node}" can not create pods that reference a service account`);
  if (referencesKind(spec, 'secret')) throw forbidden(a, `node "${node}" can not create pods that reference secrets`);
  if (referencesKind(spec, 'configMap')) throw forbidden(a, `node "${node}" can not create pods that reference configmaps`);
  if (referencesKind(spec, 'persistentVolumeClaim')) throw forbidden(a, `node "${node}" can not create pods that reference persistentvolumeclaims`);
}

function admitPod(node: string, a: AdmissionAttributes): void {
  switch (a.subresource) {
    case '':
      if (a.operation === 'CREATE') return admitPodCreate(node, a);
      if (a.operation === 'DELETE') {
        if (podSpec(a.oldObject).nodeName !== node) throw forbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
        return;
      }
      throw forbidden(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
    case 'status':
      if (a.operation !== 'UPDATE') throw forbidden(a, `unexpected operation "${a.operation}"`);
      if (podSpec(a.oldObject).nodeName !== node) throw forbidden(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
      return;
    case 'eviction':
      if (a.operation !== 'CREATE') throw forbidden(a, `unexpected operation "${a.operation}"`);
      return;
    default:
      throw forbidden(a, `unexpected pod subresource "${a.subresource}", only 'status' and 'eviction' are allowed`);
  }
}

function admitNode(node: string, a: AdmissionAttributes): void {
  if (a.name !== node) throw forbidden(a, `node "${node}" is not allowed to modify node "${a.name}"`);
  if (a.operation === 'CREATE' && a.object) {
    const bad = forbiddenLabels(modifiedLabels(a.object.metadata?.labels, {}));
    if (bad.length) throw forbidden(a, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
  }
  if (a.operation === 'UPDATE' && a.object && a.oldObject) {
    const taints = (o: KObject) => JSON.stringify((o as { spec?: { taints?: unknown[] } }).spec?.taints ?? []);
    if (taints(a.object) !== taints(a.oldObject)) throw forbidden(a, `node "${node}" is not allowed to modify taints`);
    const bad = forbiddenLabels(modifiedLabels(a.object.metadata?.labels, a.oldObject.metadata?.labels));
    if (bad.length) throw forbidden(a, `is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

function admitLease(node: string, a: AdmissionAttributes): void {
  if (a.namespace !== 'kube-node-lease') return;
  if (a.name !== node) throw forbidden(a, `can only access node lease with the same name as the requesting node`);
}

function admitServiceAccountToken(node: string, a: AdmissionAttributes, deps: NodeRestrictionDeps): void {
  if (a.subresource !== 'token' || a.operation !== 'CREATE') return;
  const ref = (a.object as { spec?: { boundObjectRef?: { kind?: string; name?: string; uid?: string } } } | undefined)?.spec?.boundObjectRef;
  if (!ref || ref.kind !== 'Pod') throw forbidden(a, 'node requested token not bound to a pod');
  const pod = deps.getPod?.(a.namespace, ref.name ?? '');
  if (!pod) throw forbidden(a, `node requested token bound to a pod that does not exist`);
  if (ref.uid && pod.metadata?.uid !== ref.uid) throw forbidden(a, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  if (podSpec(pod).nodeName !== node) throw forbidden(a, 'node requested token bound to a pod scheduled on a different node');
}

export function newNodeRestrictionPlugin(deps: NodeRestrictionDeps = {}): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    async admit(a) {
      const id = nodeIdentity(a.user);
      if (!id.isNode) return;
      if (!id.name) throw forbidden(a, `could not determine node from user "${a.user.name}"`);
      const node = id.name;
      if (isResource(a, '', 'pods')) return admitPod(node, a);
      if (isResource(a, '', 'nodes')) return admitNode(node, a);
      if (isResource(a, '', 'persistentvolumeclaims')) {
        if (a.subresource !== 'status') throw forbidden(a, 'may only update PVC status');
        return;
      }
      if (isResource(a, '', 'serviceaccounts')) return admitServiceAccountToken(node, a, deps);
      if (isResource(a, 'coordination.k8s.io', 'leases')) return admitLease(node, a);
      if (isResource(a, 'storage.k8s.io', 'csinodes') && a.name !== node) {
        throw forbidden(a, `node "${node}" is not allowed to modify object "${a.name}"`);
      }
    },
  };
}
