// What the simulated "kubelets" would report to metrics-server: the running pods on live simulated
// nodes with their annotated usage, and each node's usage as the sum of its pods'. It keeps its own
// trimmed copy of those pods (one more pod watch, only when --metrics-port is given), so the node
// simulator's hot path stays untouched.
import type { RESTClient } from '../../client/rest.js';
import { reflect } from '../../client/reflector.js';
import type { LabelSelector } from '../../machinery/labels/selector.js';
import { containerUsage, formatCPU, formatMemory, type Usage, type UsageDefaults } from './usage.js';

export const GROUP = 'metrics.k8s.io';
export const VERSION = 'v1beta1';
export const GROUP_VERSION = `${GROUP}/${VERSION}`;

interface RawPod {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: { phase?: string };
}

/** Only the fields metrics need. */
export interface TrackedPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  creationTimestamp?: string;
  node: string;
  running: boolean;
  containers: string[];
  annotations: Record<string, string>;
}

export interface NodeView {
  /** undefined: not a node of this simulator; false: its kubelet is down (no metrics) */
  live(name: string): boolean | undefined;
  names(): string[];
  labels?(name: string): Record<string, string> | undefined;
}

function trim(p: RawPod): TrackedPod {
  const ann = p.metadata?.annotations ?? {};
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    labels: { ...(p.metadata?.labels ?? {}) },
    creationTimestamp: p.metadata?.creationTimestamp,
    node: p.spec?.nodeName ?? '',
    running: p.status?.phase === 'Running',
    containers: (p.spec?.containers ?? []).map((c) => c.name),
    annotations: Object.fromEntries(Object.entries(ann).filter(([k]) => k.startsWith('sim.kumo.dev/') && k.includes('-usage'))),
  };
}

type Obj = Record<string, unknown>;

/** Go's time.Duration String() for whole or fractional seconds ("15s", "1.5s", "500ms"). */
export function formatWindow(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

export class MetricsSource {
  private readonly pods = new Map<string, TrackedPod>();
  private stopReflector?: () => void;

  constructor(private readonly nodes: NodeView, private readonly defaults: UsageDefaults, readonly windowMs: number,
    private readonly now: () => Date = () => new Date()) {}

  /** Starts the pod watch; resolves after the first list. */
  async start(client: RESTClient, log: (m: string) => void): Promise<void> {
    const r = await reflect(client, `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName!=')}`, (type, obj) => {
      this.onPod(type, obj as RawPod);
    }, { log, onList: (items) => this.replace(items as RawPod[]) });
    this.stopReflector = () => r.stop();
  }

  stop(): void { this.stopReflector?.(); }

  /** Applies one watch event (exposed for tests). */
  onPod(type: string, p: RawPod): void {
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    if (type === 'DELETED' || this.nodes.live(p.spec?.nodeName ?? '') === undefined) { this.pods.delete(key); return; }
    this.pods.set(key, trim(p));
  }

  private replace(items: RawPod[]): void {
    const keep = new Set(items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
    for (const k of [...this.pods.keys()]) if (!keep.has(k)) this.pods.delete(k);
  }

  /** A pod metrics-server would have: running on a simulated node whose kubelet answers. */
  private scraped(p: TrackedPod): boolean {
    return p.running && p.containers.length > 0 && this.nodes.live(p.node) === true;
  }

  private stamp(): { timestamp: string; window: string } {
    return { timestamp: this.now().toISOString().replace(/\.\d+Z$/, 'Z'), window: formatWindow(this.windowMs) };
  }

  private podMetrics(p: TrackedPod): Obj {
    const usage = containerUsage(p.annotations, p.containers, this.defaults);
    return {
      kind: 'PodMetrics', apiVersion: GROUP_VERSION,
      metadata: { name: p.name, namespace: p.namespace, creationTimestamp: this.stamp().timestamp, labels: p.labels },
      ...this.stamp(),
      containers: p.containers.map((name, i) => ({ name, usage: { cpu: formatCPU(usage[i].cpu), memory: formatMemory(usage[i].memory) } })),
    };
  }

  /** PodMetrics of `namespace` ('' = all) matching `selector`, sorted by namespace/name. */
  listPods(namespace: string, selector?: LabelSelector): Obj[] {
    const out: TrackedPod[] = [];
    for (const p of this.pods.values()) {
      if (namespace && p.namespace !== namespace) continue;
      if (!this.scraped(p)) continue;
      if (selector && !selector.matches(p.labels)) continue;
      out.push(p);
    }
    out.sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
    return out.map((p) => this.podMetrics(p));
  }

  getPod(namespace: string, name: string): Obj | undefined {
    const p = this.pods.get(`${namespace}/${name}`);
    return p && this.scraped(p) ? this.podMetrics(p) : undefined;
  }

  private nodeUsage(): Map<string, Usage> {
    const sums = new Map<string, Usage>();
    for (const n of this.nodes.names()) if (this.nodes.live(n) === true) sums.set(n, { cpu: 0n, memory: 0n });
    for (const p of this.pods.values()) {
      const sum = sums.get(p.node);
      if (!sum || !p.running) continue;
      for (const u of containerUsage(p.annotations, p.containers, this.defaults)) { sum.cpu += u.cpu; sum.memory += u.memory; }
    }
    return sums;
  }

  private nodeMetrics(name: string, u: Usage): Obj {
    return {
      kind: 'NodeMetrics', apiVersion: GROUP_VERSION,
      metadata: { name, creationTimestamp: this.stamp().timestamp, labels: this.nodes.labels?.(name) ?? {} },
      ...this.stamp(),
      usage: { cpu: formatCPU(u.cpu), memory: formatMemory(u.memory) },
    };
  }

  listNodes(selector?: LabelSelector): Obj[] {
    return [...this.nodeUsage()].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([n, u]) => this.nodeMetrics(n, u))
      .filter((m) => !selector || selector.matches((m.metadata as { labels: Record<string, string> }).labels));
  }

  getNode(name: string): Obj | undefined {
    const u = this.nodeUsage().get(name);
    return u && this.nodeMetrics(name, u);
  }
}
