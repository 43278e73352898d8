// The node-info cache (upstream internal/cache): per node, the pods on it, their summed requests
// and the host ports in use, kept up to date incrementally from informer events and from pods the
// scheduler has assumed (reserved) but whose binding is not yet observed. Nothing here scans all pods.
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, nodeAllocatable, podRequests, type ResourceList } from './resources.js';
import type { LabelSelector } from '../machinery/labels/selector.js';
import { podKey, type Node, type Pod } from './types.js';
import { podAffinityTermsOrEmpty, type PodAffinityTerms } from './plugins/affinityterm.js';
import { TermIndex } from './termindex.js';
import { SpreadCounts, type CountedPod } from './spreadcounts.js';

export class NodeInfo {
  node: Node | undefined;
  readonly pods = new Map<string, Pod>();
  allocatable: ResourceList = new Map();
  /** sum of pod requests as declared (used for fit) */
  readonly requested: ResourceList = new Map();
  /** sum of pod requests with upstream's non-zero cpu/memory defaults (used for scoring) */
  readonly nonZeroRequested: ResourceList = new Map();
  /** "protocol/port" → host IPs bound on the node */
  readonly usedPorts = new Map<string, Set<string>>();
  /** bumped on every change, so per-node results could be memoized later */
  generation = 0;
  /** image name (each of node.status.images[].names) → size in bytes */
  imageSizes = new Map<string, number>();

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.podsAllowed = this.allocatable.get(PODS) ?? 0;
    this.free = undefined;
    const images = node.status?.images;
    if (images?.length || this.imageSizes.size) {
      this.imageSizes = new Map();
      for (const img of images ?? []) for (const n of img.names ?? []) this.imageSizes.set(n, img.sizeBytes ?? 0);
    }
    this.generation++;
  }

  /** allocatable pods, read by Filter for every node */
  private podsAllowed = 0;
  allowedPods(): number { return this.podsAllowed; }

  /** allocatable − requested for cpu, memory and ephemeral-storage, read by NodeResourcesFit's Filter for every node */
  private free: [number, number, number] | undefined;
  freeFixed(): readonly [number, number, number] {
    return (this.free ??= [
      (this.allocatable.get(CPU) ?? 0) - (this.requested.get(CPU) ?? 0),
      (this.allocatable.get(MEMORY) ?? 0) - (this.requested.get(MEMORY) ?? 0),
      (this.allocatable.get(EPHEMERAL_STORAGE) ?? 0) - (this.requested.get(EPHEMERAL_STORAGE) ?? 0),
    ]);
  }

  addPod(pod: Pod): void {
    this.pods.set(podKey(pod), pod);
    this.account(pod, 1);
  }

  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const had = this.pods.get(key);
    if (!had) return false;
    this.pods.delete(key);
    this.account(had, -1);
    return true;
  }

  private account(pod: Pod, sign: 1 | -1): void {
    for (const [k, v] of podRequests(pod)) this.requested.set(k, (this.requested.get(k) ?? 0) + sign * v);
    const nz = podRequests(pod, true);
    for (const k of [CPU, MEMORY]) this.nonZeroRequested.set(k, (this.nonZeroRequested.get(k) ?? 0) + sign * (nz.get(k) ?? 0));
    for (const port of hostPorts(pod)) {
      const key = `${port.protocol}/${port.port}`;
      let ips = this.usedPorts.get(key);
      if (sign > 0) {
        if (!ips) this.usedPorts.set(key, (ips = new Set()));
        ips.add(port.ip);
      } else if (ips) {
        ips.delete(port.ip);
        if (ips.size === 0) this.usedPorts.delete(key);
      }
    }
    this.free = undefined;
    this.generation++;
  }
}

export interface HostPort { protocol: string; port: number; ip: string }

/** The host ports a pod asks for (containers and init containers), with upstream's defaults. */
export function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ protocol: p.protocol || 'TCP', port: p.hostPort, ip: p.hostIP || '0.0.0.0' });
    }
  }
  return out;
}

/** An assigned (or assumed) pod as the cache records it. */
export interface PodEntry { readonly pod: Pod; readonly node: string; readonly assumed: boolean }
type PodState = PodEntry;

const hasPodAffinity = (p: Pod) => !!(p.spec.affinity?.podAffinity || p.spec.affinity?.podAntiAffinity);

/** Recorded pods' affinity terms, one index per kind (InterPodAffinity matches the incoming pod against them). */
export interface AffinityTermIndexes {
  requiredAffinity: TermIndex;
  requiredAntiAffinity: TermIndex;
  preferredAffinity: TermIndex;
  preferredAntiAffinity: TermIndex;
}
const TERM_KINDS = ['requiredAffinity', 'requiredAntiAffinity', 'preferredAffinity', 'preferredAntiAffinity'] as const satisfies readonly (keyof PodAffinityTerms)[];

/** Per topology key, each value's nodes among the nodes carrying all the keys (PodTopologySpread's domains). */
export type TopologyDomains = Map<string, Map<string, number>>;

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
  const ka = Object.keys(a ?? {}), kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b!, k) && a![k] === b![k]);
};

/** Node infos for every node, updated from events; `nodes()` is the list a scheduling cycle uses. */
export class Cache {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private list: NodeInfo[] | undefined;
  /** label key → value → pods carrying it: inter-pod affinity and topology spread look up matching pods here */
  private readonly byLabel = new Map<string, Map<string, Set<PodEntry>>>();
  /** recorded pods' affinity terms, grouped (upstream HavePodsWithAffinityList / HavePodsWithRequiredAntiAffinityList) */
  readonly affinityTerms: AffinityTermIndexes = {
    requiredAffinity: new TermIndex(), requiredAntiAffinity: new TermIndex(), preferredAffinity: new TermIndex(), preferredAntiAffinity: new TermIndex(),
  };
  /** sorted topology keys → their domains; dropped when a node comes, goes or changes labels */
  private readonly domainMemo = new Map<string, TopologyDomains>();
  /** PodTopologySpread's matching pods per domain, per (namespace, selector, keys), kept up to date with every pod */
  readonly spreadCounts = new SpreadCounts();

  /** nodes came, went or changed labels: domains and what is counted in them must be worked out again */
  private topologyChanged(): void {
    this.domainMemo.clear();
    this.spreadCounts.clear();
  }

  /** a recorded pod with its node's labels, for spreadCounts */
  private counted(e: PodEntry): CountedPod { return { pod: e.pod, node: e.node, nodeLabels: this.infos.get(e.node)?.node?.metadata.labels ?? undefined }; }

  /** The recorded pods `sel` may match (see candidates), with their nodes' labels. */
  *countedCandidates(sel: LabelSelector): Iterable<CountedPod> {
    for (const e of this.candidates(sel)) yield this.counted(e);
  }
  /** "namespace/claim" → recorded pods using it (upstream StorageInfos().IsPVCUsedByPods) */
  readonly pvcRefCounts = new Map<string, number>();
  /** image name → nodes reporting it (upstream imageStates' NumNodes) */
  private readonly imageNodes = new Map<string, number>();

  /** How many nodes have the image (for ImageLocality's spread factor). */
  imageNumNodes(name: string): number { return this.imageNodes.get(name) ?? 0; }
  private countImages(ni: NodeInfo, by: 1 | -1): void {
    for (const n of ni.imageSizes.keys()) {
      const v = (this.imageNodes.get(n) ?? 0) + by;
      if (v <= 0) this.imageNodes.delete(n); else this.imageNodes.set(n, v);
    }
  }

  private index(e: PodEntry, add: boolean): void {
    for (const [k, v] of Object.entries(e.pod.metadata.labels ?? {})) {
      let vals = this.byLabel.get(k);
      if (add) {
        if (!vals) this.byLabel.set(k, (vals = new Map()));
        let set = vals.get(v);
        if (!set) vals.set(v, (set = new Set()));
        set.add(e);
      } else if (vals) {
        const set = vals.get(v);
        set?.delete(e);
        if (set?.size === 0) vals.delete(v);
        if (vals.size === 0) this.byLabel.delete(k);
      }
    }
    for (const v of e.pod.spec.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName ?? (v.ephemeral ? `${e.pod.metadata.name}-${v.name}` : undefined);
      if (claim === undefined) continue;
      const k = `${e.pod.metadata.namespace ?? ''}/${claim}`;
      const n = (this.pvcRefCounts.get(k) ?? 0) + (add ? 1 : -1);
      if (n <= 0) this.pvcRefCounts.delete(k); else this.pvcRefCounts.set(k, n);
    }
    this.spreadCounts.podChanged(this.counted(e), add ? 1 : -1);
    if (hasPodAffinity(e.pod)) {
      const terms = podAffinityTermsOrEmpty(e.pod);
      for (const kind of TERM_KINDS) {
        for (const t of terms[kind]) if (add) this.affinityTerms[kind].add(t, e.node); else this.affinityTerms[kind].remove(t, e.node);
      }
    }
  }

  /**
   * For the given topology keys: among nodes that have every one of them, how many nodes carry each
   * value of each key. Computed once per set of keys until the nodes or their labels change.
   */
  topologyDomains(keys: readonly string[]): TopologyDomains {
    const sig = [...keys].sort().join('\u0000');
    let d = this.domainMemo.get(sig);
    if (d) return d;
    d = new Map(keys.map((k) => [k, new Map<string, number>()]));
    for (const ni of this.nodes()) {
      const labels = ni.node!.metadata.labels ?? {};
      if (!keys.every((k) => Object.hasOwn(labels, k))) continue;
      for (const [k, vals] of d) vals.set(labels[k], (vals.get(labels[k]) ?? 0) + 1);
    }
    this.domainMemo.set(sig, d);
    return d;
  }

  private record(key: string, e: PodEntry): void {
    this.podStates.set(key, e);
    this.index(e, true);
  }

  /**
   * A superset of the recorded pods `sel` can match, found through the label index from the
   * selector's most selective equality/in/exists requirement (all pods when it has none); each pod
   * at most once (an `in` may repeat a value).
   * Callers still match each pod (and its namespace) themselves.
   */
  candidates(sel: LabelSelector): Iterable<PodEntry> {
    if (sel.matchesNothing()) return [];
    let best: PodEntry[] | Set<PodEntry> | undefined;
    let bestSize = Infinity;
    for (const r of sel.requirements()) {
      const vals = this.byLabel.get(r.key);
      let sets: Set<PodEntry>[];
      if (r.operator === '=' || r.operator === '==' || r.operator === 'in') sets = [...new Set(r.values)].map((v) => vals?.get(v)).filter((x): x is Set<PodEntry> => !!x);
      else if (r.operator === 'exists') sets = vals ? [...vals.values()] : [];
      else continue;
      const size = sets.reduce((n, s) => n + s.size, 0);
      if (size >= bestSize) continue;
      bestSize = size;
      best = sets.length === 1 ? sets[0] : sets.flatMap((s) => [...s]);
    }
    return best ?? this.podStates.values();
  }

  private info(name: string): NodeInfo {
    let ni = this.infos.get(name);
    if (!ni) this.infos.set(name, (ni = new NodeInfo(name)));
    return ni;
  }

  /** Nodes that exist (pods may reference nodes not yet seen); rebuilt only when the set of nodes changes. */
  nodes(): NodeInfo[] {
    if (!this.list) this.list = [...this.infos.values()].filter((n) => n.node);
    return this.list;
  }

  get(name: string): NodeInfo | undefined { return this.infos.get(name); }

  addNode(node: Node): void {
    const ni = this.info(node.metadata.name);
    if (!ni.node) { this.list = undefined; this.topologyChanged(); }
    else {
      this.countImages(ni, -1);
      // the same object may have been changed in place
      if (ni.node === node || !sameLabels(ni.node.metadata.labels, node.metadata.labels)) this.topologyChanged();
    }
    ni.setNode(node);
    this.countImages(ni, 1);
  }
  updateNode(node: Node): void { this.addNode(node); }
  removeNode(name: string): void {
    const ni = this.infos.get(name);
    if (!ni) return;
    this.list = undefined;
    this.topologyChanged();
    if (ni.node) this.countImages(ni, -1);
    ni.node = undefined;
    if (ni.pods.size === 0) this.infos.delete(name);
  }

  /** A pod the scheduler has decided to place, before the API server confirms the binding. */
  assumePod(pod: Pod, node: string): void {
    const assumed: Pod = { ...pod, spec: { ...pod.spec, nodeName: node } };
    this.removePod(pod);
    this.info(node).addPod(assumed);
    this.record(podKey(pod), { pod: assumed, node, assumed: true });
  }
  /** Binding failed: the pod no longer holds resources on the node. */
  forgetPod(pod: Pod): void {
    const st = this.podStates.get(podKey(pod));
    if (st?.assumed) this.removePod(pod);
  }
  /** what the cache holds for the pod (assigned or assumed), if anything */
  recorded(pod: Pod): PodEntry | undefined { return this.podStates.get(podKey(pod)); }
  isAssumed(pod: Pod): boolean { return this.podStates.get(podKey(pod))?.assumed ?? false; }

  /** An assigned pod observed from the API (add or update); replaces whatever was recorded. */
  addPod(pod: Pod): void {
    const node = pod.spec.nodeName;
    if (!node) return;
    this.removePod(pod);
    this.info(node).addPod(pod);
    this.record(podKey(pod), { pod, node, assumed: false });
  }
  updatePod(pod: Pod): void { this.addPod(pod); }
  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    this.podStates.delete(key);
    this.index(st, false);
    const ni = this.infos.get(st.node);
    ni?.removePod(st.pod);
    if (ni && !ni.node && ni.pods.size === 0) this.infos.delete(st.node);
  }
  podCount(): number { return this.podStates.size; }
}
