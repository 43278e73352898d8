// TaintToleration: Filter rejects nodes with an untolerated NoSchedule/NoExecute taint (the first
// one, in node order, names the reason); Score counts untolerated PreferNoSchedule taints and
// normalizes in reverse, so fewer such taints score higher.
import type { NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, Status, type CycleState, type FilterPlugin, type NodeScore, type Pod, type ScorePlugin, type Toleration } from '../types.js';
import { defaultNormalizeScore, tolerationsTolerateTaint } from './helpers.js';

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = 'TaintToleration';

  filter(_s: CycleState, pod: Pod, node: NodeInfo): Status {
    for (const taint of node.node?.spec?.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerationsTolerateTaint(pod.spec.tolerations, taint)) {
        return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
      }
    }
    return Status.success();
  }

  score(_s: CycleState, pod: Pod, node: NodeInfo): number {
    const taints = node.node?.spec?.taints;
    if (!taints?.length) return 0;
    const prefer: Toleration[] = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    let n = 0;
    for (const taint of taints) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(prefer, taint)) n++;
    }
    return n;
  }

  normalizeScore(_s: CycleState, _p: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}
