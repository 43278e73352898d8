// The Node authorizer (upstream plugin/pkg/auth/authorizer/node), a subset of its graph:
// a kubelet (user system:node:NAME in group system:nodes) may read the Secrets, ConfigMaps,
// PersistentVolumeClaims (and their bound PersistentVolumes) that pods bound to its node reference,
// request tokens for those pods' service accounts, read and write its own Node, its own Lease in
// kube-node-lease and its own CSINode. Everything else a node may do is the static system:node
// rule set. Pods are indexed by spec.nodeName lazily after each pod change.
import type { AuthorizationAttributes, Authorizer, Decision } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import { clusterRoles } from './bootstrappolicy.js';
import { rulesAllow, type PolicyRule } from './rbac/rules.js';
import type { Lookup } from './rbac/authorizer.js';

const NODE_PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';

/** upstream NodeIdentity: [isNode, nodeName] */
export function nodeIdentity(u: UserInfo): { isNode: boolean; name: string } {
  if (!u.name.startsWith(NODE_PREFIX) || !(u.groups ?? []).includes(NODES_GROUP)) return { isNode: false, name: '' };
  return { isNode: true, name: u.name.slice(NODE_PREFIX.length) };
}

interface Pod {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    volumes?: Record<string, unknown>[];
    imagePullSecrets?: { name?: string }[];
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
  };
}
interface Container {
  env?: { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
}

/** the objects a pod makes its node need: "secret:ns/name", "configmap:…", "pvc:…", "serviceaccount:…" */
export function podReferences(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const out = new Set<string>();
  const add = (kind: string, name: unknown) => { if (typeof name === 'string' && name) out.add(`${kind}:${ns}/${name}`); };
  const spec = pod.spec ?? {};
  add('serviceaccount', spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add('secret', s.name);
  for (const v of spec.volumes ?? []) {
    const vol = v as Record<string, Record<string, unknown> | undefined>;
    add('secret', vol.secret?.secretName);
    add('configmap', vol.configMap?.name);
    add('pvc', vol.persistentVolumeClaim?.claimName);
    // a generic ephemeral volume's claim is named <pod>-<volume>
    if (vol.ephemeral) add('pvc', `${pod.metadata?.name}-${v.name}`);
    for (const src of (vol.projected?.sources as Record<string, { name?: string } | undefined>[] | undefined) ?? []) {
      add('secret', src.secret?.name);
      add('configmap', src.configMap?.name);
    }
    // volume plugins that read credentials from a Secret (csi, cephfs, rbd, iscsi, …)
    for (const [key, source] of Object.entries(vol)) {
      if (key === 'name' || !source || typeof source !== 'object') continue;
      for (const field of ['secretRef', 'nodePublishSecretRef', 'nodeStageSecretRef']) {
        add('secret', (source[field] as { name?: string } | undefined)?.name);
      }
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('secret', e.valueFrom?.secretKeyRef?.name);
      add('configmap', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('secret', e.secretRef?.name);
      add('configmap', e.configMapRef?.name);
    }
  }
  return [...out];
}

const READ = new Set(['get', 'list', 'watch']);

export class NodeAuthorizer implements Authorizer {
  /** node name → referenced object keys (with "pod:ns/name" for the pods themselves) */
  private graph = new Map<string, Set<string>>();
  private dirty = true;
  private watching = false;
  private readonly staticRules: PolicyRule[];

  constructor(private readonly lookup: Lookup) {
    this.staticRules = (clusterRoles().find((r) => r.metadata?.name === 'system:node')!.rules as PolicyRule[]);
  }

  private refresh(): void {
    if (!this.watching) {
      const pods = this.lookup('', 'v1', 'pods');
      if (pods?.store.cache.listeners) {
        pods.store.cache.listeners.add(() => { this.dirty = true; });
        this.watching = true;
        this.dirty = true;
      }
    }
    if (!this.dirty && this.watching) return;
    this.dirty = false;
    const graph = new Map<string, Set<string>>();
    for (const { obj } of this.lookup('', 'v1', 'pods')?.store.cache.objects.values() ?? []) {
      const pod = obj as Pod;
      const node = pod.spec?.nodeName;
      if (!node) continue;
      let refs = graph.get(node);
      if (!refs) graph.set(node, refs = new Set());
      refs.add(`pod:${pod.metadata?.namespace}/${pod.metadata?.name}`);
      for (const r of podReferences(pod)) refs.add(r);
    }
    this.graph = graph;
  }

  /** does a pod on this node reference the object? PVs count through their bound claims */
  private related(node: string, kind: string, namespace: string, name: string): boolean {
    this.refresh();
    const refs = this.graph.get(node);
    if (!refs) return false;
    if (kind !== 'pv') return refs.has(`${kind}:${namespace}/${name}`);
    const pvcs = this.lookup('', 'v1', 'persistentvolumeclaims')?.store.cache.objects;
    for (const r of refs) {
      if (!r.startsWith('pvc:')) continue;
      const [ns, claim] = r.slice(4).split('/');
      const key = `/registry/persistentvolumeclaims/${ns}/${claim}`;
      const pvc = pvcs?.get(key)?.obj as { spec?: { volumeName?: string } } | undefined;
      if (pvc?.spec?.volumeName === name) return true;
    }
    return false;
  }

  authorize(a: AuthorizationAttributes): { decision: Decision; reason?: string } {
    const id = nodeIdentity(a.user);
    if (!id.isNode) return { decision: 'noOpinion', reason: '' };
    if (!id.name) return { decision: 'noOpinion', reason: 'unknown node' };
    const node = id.name;
    if (a.isResourceRequest) {
      const r = this.resource(node, a);
      if (r) return r;
    }
    if (rulesAllow(a, this.staticRules)) return { decision: 'allow' };
    return { decision: 'noOpinion', reason: '' };
  }

  private noRelation(node: string): { decision: Decision; reason: string } {
    return { decision: 'noOpinion', reason: `no relationship found between node '${node}' and this object` };
  }

  /** the graph-checked resources; undefined falls through to the static rules */
  private resource(node: string, a: AuthorizationAttributes): { decision: Decision; reason?: string } | undefined {
    const kinds: Record<string, string> = { secrets: 'secret', configmaps: 'configmap', persistentvolumeclaims: 'pvc' };
    if (a.apiGroup === '') {
      if (kinds[a.resource]) {
        // pvc status updates are the static rules' business
        if (a.resource === 'persistentvolumeclaims' && a.subresource === 'status') return undefined;
        if (!READ.has(a.verb)) return { decision: 'noOpinion', reason: 'can only read resources of this type' };
        if (a.subresource) return { decision: 'noOpinion', reason: 'cannot read subresource' };
        if (!a.namespace) return { decision: 'noOpinion', reason: 'can only read namespaced object of this type' };
        if (!a.name) return { decision: 'noOpinion', reason: 'No Object name found' };
        return this.related(node, kinds[a.resource], a.namespace, a.name) ? { decision: 'allow' } : this.noRelation(node);
      }
      if (a.resource === 'persistentvolumes') {
        if (a.verb !== 'get') return { decision: 'noOpinion', reason: 'can only get individual resources of this type' };
        if (a.subresource) return { decision: 'noOpinion', reason: 'cannot get subresource' };
        if (!a.name) return { decision: 'noOpinion', reason: 'No Object name found' };
        return this.related(node, 'pv', '', a.name) ? { decision: 'allow' } : this.noRelation(node);
      }
      if (a.resource === 'serviceaccounts' && a.subresource === 'token') {
        if (a.verb !== 'create') return { decision: 'noOpinion', reason: 'can only create tokens for individual service accounts' };
        if (!a.name) return { decision: 'noOpinion', reason: 'No Object name found' };
        return this.related(node, 'serviceaccount', a.namespace, a.name) ? { decision: 'allow' } : this.noRelation(node);
      }
      if (a.resource === 'nodes' && a.name && a.name !== node) {
        return { decision: 'noOpinion', reason: `node '${node}' cannot ${a.verb} '${a.name}', only its own Node object` };
      }
      return undefined;
    }
    if (a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
      if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return { decision: 'noOpinion', reason: `can only get, create, update, patch, or delete a node lease` };
      if (a.namespace !== 'kube-node-lease') return { decision: 'noOpinion', reason: `can only access leases in the kube-node-lease namespace` };
      if (a.verb !== 'create' && a.name !== node) return { decision: 'noOpinion', reason: `can only access node lease with the same name as the requesting node` };
      return { decision: 'allow' };
    }
    if (a.apiGroup === 'storage.k8s.io' && a.resource === 'csinodes') {
      if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return { decision: 'noOpinion', reason: `can only get, create, update, patch, or delete a CSINode` };
      if (a.verb !== 'create' && a.name !== node) return { decision: 'noOpinion', reason: `can only access CSINode with the same name as the requesting node` };
      return { decision: 'allow' };
    }
    return undefined;
  }
}
