// NodeAffinity: spec.nodeSelector and required node affinity (terms ORed, requirements ANDed;
// matchFields on metadata.name) filter nodes; preferred terms add their weights as the score,
// normalized so the best node gets 100. PreFilter narrows candidates when every required term
// pins metadata.name with In, as upstream does.
import type { NodeInfo } from '../nodeinfo.js';
import {
  MAX_NODE_SCORE, Status, type CycleState, type FilterPlugin, type Node, type NodeScore, type NodeSelectorRequirement,
  type NodeSelectorTerm, type Pod, type PreFilterPlugin, type PreFilterResult, type PreScorePlugin, type ScorePlugin,
} from '../types.js';
import { defaultNormalizeScore } from './helpers.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

function matchRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const a = BigInt(value), b = BigInt(values[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** A term with no requirements matches nothing (upstream nodeaffinity helper). */
export function matchTerm(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [], fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!matchRequirement(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name' || (r.operator !== 'In' && r.operator !== 'NotIn')) return false;
    if (!matchRequirement(r, node.metadata.name)) return false;
  }
  return true;
}

/** nodeSelector plus required node affinity (upstream GetRequiredNodeAffinity().Match). */
export function podMatchesNode(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const sel = pod.spec.nodeSelector;
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => matchTerm(t, node));
}

export interface NodeAffinityArgs { addedAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] }; preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[] } }

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'NodeAffinity';
  constructor(private readonly args: NodeAffinityArgs = {}) {}

  preFilter(_s: CycleState, pod: Pod): { result?: PreFilterResult; status: Status } {
    const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (!terms || terms.length === 0) return { status: Status.success() };
    let names: Set<string> | undefined;
    for (const term of terms) {
      // a term without a metadata.name In requirement may match any node
      let termNames: Set<string> | undefined;
      for (const f of term.matchFields ?? []) {
        if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
        const vals = new Set(f.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => vals.has(n))) : vals;
      }
      if (!termNames) return { status: Status.success() };
      names = names ? new Set([...names, ...termNames]) : termNames;
    }
    if (names && names.size === 0) return { status: Status.unresolvable(ERR_REASON_CONFLICT) };
    return { result: { nodeNames: names }, status: Status.success() };
  }

  filter(_s: CycleState, pod: Pod, node: NodeInfo): Status {
    const n = node.node!;
    const added = this.args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (added && !(added.nodeSelectorTerms ?? []).some((t) => matchTerm(t, n))) {
      return Status.unresolvable("node(s) didn't match scheduler-enforced node affinity");
    }
    return podMatchesNode(pod, n) ? Status.success() : Status.unresolvable(ERR_REASON_POD);
  }

  /** upstream PreScore: nothing to score without preferred terms (then Score is not called) */
  preScore(_s: CycleState, pod: Pod): Status {
    const own = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const added = this.args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return own.length || added.length ? Status.success() : Status.skip();
  }

  score(_s: CycleState, pod: Pod, node: NodeInfo): number {
    let total = 0;
    const prefs = [...(pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(this.args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])];
    for (const p of prefs) if (p.weight && matchTerm(p.preference ?? {}, node.node!)) total += p.weight;
    return total;
  }

  normalizeScore(_s: CycleState, _p: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}
