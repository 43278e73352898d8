// Helpers shared by plugins: upstream's DefaultNormalizeScore and toleration matching.
import { MAX_NODE_SCORE, type NodeScore, type Taint, type Toleration } from '../types.js';

/** Scales scores so the highest becomes `max` (integer division as upstream); `reverse` flips them. */
export function defaultNormalizeScore(max: number, reverse: boolean, scores: NodeScore[]): void {
  let top = 0;
  for (const s of scores) if (s.score > top) top = s.score;
  if (top === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / top);
    if (reverse) v = max - v;
    s.score = v;
  }
}

/** upstream Toleration.ToleratesTaint */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '': case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    case 'Exists': return true;
    default: return false;
  }
}

export function tolerationsTolerateTaint(ts: Toleration[] | undefined, taint: Taint): boolean {
  return (ts ?? []).some((t) => toleratesTaint(t, taint));
}

export { MAX_NODE_SCORE };
