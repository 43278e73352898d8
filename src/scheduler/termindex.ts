// Existing pods' affinity terms grouped by what they say (upstream walks HavePodsWithAffinityList /
// HavePodsWithRequiredAntiAffinityList every cycle; here identical terms of many pods — the replicas
// of one workload — share one group holding how many instances sit on each node). Groups are
// indexed by one label pair their selector requires, so a cycle looks only at the groups whose
// selector can match the incoming pod's labels, not at every pod with affinity.
import type { AffinityTerm } from './plugins/affinityterm.js';

export interface TermGroup {
  /** one representative: every member has the same namespaces, selectors, topology key and weight */
  readonly term: AffinityTerm;
  /** node name → instances of this term on pods recorded there */
  readonly nodes: Map<string, number>;
}

const pairKey = (k: string, v: string) => `${k}\u0000${v}`;

/** What makes two terms interchangeable for matching and counting. */
export function termSignature(t: AffinityTerm): string {
  const sel = t.selector.matchesNothing() ? '\u0000nothing' : t.selector.toString();
  const nsSel = t.namespaceSelector.matchesNothing() ? '\u0000nothing' : t.namespaceSelector.toString();
  return `${[...t.namespaces].sort().join(',')}|${nsSel}|${sel}|${t.topologyKey}|${t.weight}`;
}

/** The label pairs one of which any pod the selector matches must carry ([] when none is required). */
function indexPairs(t: AffinityTerm): string[] {
  for (const r of t.selector.requirements()) {
    if (r.operator === '=' || r.operator === '==' || r.operator === 'in') return r.values.map((v) => pairKey(r.key, v));
  }
  return [];
}

export class TermIndex {
  private readonly groups = new Map<string, TermGroup>();
  /** label pair → groups whose selector requires it */
  private readonly byPair = new Map<string, Set<TermGroup>>();
  /** groups whose selector requires no label pair (exists, notin, everything, nothing…) */
  private readonly unindexed = new Set<TermGroup>();

  get size(): number { return this.groups.size; }

  add(t: AffinityTerm, node: string): void { this.change(t, node, 1); }
  remove(t: AffinityTerm, node: string): void { this.change(t, node, -1); }

  private change(t: AffinityTerm, node: string, by: 1 | -1): void {
    const sig = t.signature ??= termSignature(t);
    let g = this.groups.get(sig);
    if (!g) {
      if (by < 0) return;
      g = { term: t, nodes: new Map() };
      this.groups.set(sig, g);
      const pairs = indexPairs(t);
      if (pairs.length === 0) this.unindexed.add(g);
      for (const p of pairs) {
        let set = this.byPair.get(p);
        if (!set) this.byPair.set(p, (set = new Set()));
        set.add(g);
      }
    }
    const n = (g.nodes.get(node) ?? 0) + by;
    if (n > 0) { g.nodes.set(node, n); return; }
    g.nodes.delete(node);
    if (g.nodes.size > 0) return;
    this.groups.delete(sig);
    this.unindexed.delete(g);
    for (const p of indexPairs(g.term)) {
      const set = this.byPair.get(p);
      set?.delete(g);
      if (set?.size === 0) this.byPair.delete(p);
    }
  }

  /** Groups whose selector may match a pod with these labels (a superset: callers still match each term). */
  *candidates(labels: Record<string, string> | undefined): Iterable<TermGroup> {
    yield* this.unindexed;
    for (const k in labels) {
      const set = this.byPair.get(pairKey(k, labels[k]));
      if (set) yield* set;
    }
  }
}
