// PodTopologySpread's matching-pod counts per topology domain, kept per (namespace, selector,
// topology keys) and updated as pods are recorded or removed, so a cycle for the 5,000th replica
// of a spread Deployment reads a handful of domain counts instead of walking 5,000 matching pods.
// Entries are built on first use from the label index, found on pod changes through one label
// pair their selector requires (as TermIndex), dropped when nodes or their labels change (domains
// move) and, beyond `max`, least recently used first.
import type { LabelSelector } from '../machinery/labels/selector.js';
import type { Pod } from './types.js';

export interface DomainCounts {
  /** domain value → matching pods on nodes carrying every key (entries with 0 are removed) */
  readonly counts: Map<string, number>;
  /** the smallest count in `counts`, cached until it changes */
  minCount(): number;
}

interface Entry extends DomainCounts {
  sig: string;
  ns: string;
  selector: LabelSelector;
  keys: readonly string[];
  key: string;
  pairs: string[];
  min: number | undefined;
}

const pairKey = (k: string, v: string) => `${k}\u0000${v}`;
const MAX_INT32 = 2147483647;

/** A recorded pod, its node and the node's labels (undefined when the node is unknown). */
export interface CountedPod { pod: Pod; node: string; nodeLabels: Record<string, string> | undefined }

/** `key` value that counts per node name instead of per label value (PodTopologySpread's hostname scoring) */
export const BY_NODE_NAME = '\u0000node';

export class SpreadCounts {
  private readonly entries = new Map<string, Entry>();
  private readonly byPair = new Map<string, Set<Entry>>();
  private readonly unindexed = new Set<Entry>();

  constructor(private readonly max = 1024) {}

  get size(): number { return this.entries.size; }

  /**
   * Counts for pods in `ns` matching `selector`, by the value of `key` ("" on nodes without it;
   * the node's name for BY_NODE_NAME), among nodes with every one of `keys`. `scan` lists the
   * candidate pods when the entry has to be built.
   */
  get(ns: string, selector: LabelSelector, keys: readonly string[], key: string, scan: () => Iterable<CountedPod>): DomainCounts {
    const sig = `${ns}|${selector.matchesNothing() ? '\u0000nothing' : selector.toString()}|${[...keys].sort().join(',')}|${key}`;
    let e = this.entries.get(sig);
    if (e) {
      this.entries.delete(sig); // most recently used last
      this.entries.set(sig, e);
      return e;
    }
    const pairs: string[] = [];
    for (const r of selector.requirements()) {
      if (r.operator === '=' || r.operator === '==' || r.operator === 'in') { pairs.push(...new Set(r.values.map((v) => pairKey(r.key, v)))); break; }
    }
    const entry: Entry = {
      sig, ns, selector, keys: [...keys], key, pairs, counts: new Map(), min: undefined,
      minCount() {
        if (this.min === undefined) { let m = MAX_INT32; for (const v of this.counts.values()) if (v < m) m = v; this.min = m; }
        return this.min;
      },
    };
    if (!selector.matchesNothing()) for (const c of scan()) count(entry, c, 1);
    this.entries.set(sig, entry);
    if (pairs.length === 0) this.unindexed.add(entry);
    for (const p of pairs) {
      let set = this.byPair.get(p);
      if (!set) this.byPair.set(p, (set = new Set()));
      set.add(entry);
    }
    if (this.entries.size > this.max) this.drop(this.entries.values().next().value as Entry);
    return entry;
  }

  /** A pod was recorded (+1) or removed (−1). */
  podChanged(c: CountedPod, by: 1 | -1): void {
    if (this.entries.size === 0) return;
    for (const e of this.unindexed) count(e, c, by);
    const labels = c.pod.metadata.labels;
    for (const k in labels) {
      const set = this.byPair.get(pairKey(k, labels[k]));
      if (set) for (const e of set) count(e, c, by);
    }
  }

  /** Domains changed (a node came, went or was relabelled): rebuild on next use. */
  clear(): void {
    this.entries.clear();
    this.byPair.clear();
    this.unindexed.clear();
  }

  private drop(e: Entry): void {
    this.entries.delete(e.sig);
    this.unindexed.delete(e);
    for (const p of e.pairs) {
      const set = this.byPair.get(p);
      set?.delete(e);
      if (set?.size === 0) this.byPair.delete(p);
    }
  }
}

/** upstream countPodsMatchSelector's rules: same namespace, not terminating, selector matches; the node must carry every key */
function count(e: Entry, c: CountedPod, by: 1 | -1): void {
  const p = c.pod;
  const labels = c.nodeLabels;
  if (!labels || (p.metadata.namespace ?? '') !== e.ns || p.metadata.deletionTimestamp) return;
  for (const k of e.keys) if (!Object.hasOwn(labels, k)) return;
  if (!e.selector.matches(p.metadata.labels ?? {})) return;
  const v = e.key === BY_NODE_NAME ? c.node : Object.hasOwn(labels, e.key) ? labels[e.key] : '';
  const n = (e.counts.get(v) ?? 0) + by;
  if (n > 0) e.counts.set(v, n); else e.counts.delete(v);
  e.min = undefined;
}
