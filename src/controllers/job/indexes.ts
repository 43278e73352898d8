// Completion indexes of Indexed Jobs (upstream indexed_job_utils.go): the index of a pod, the
// compressed interval form of status.completedIndexes / failedIndexes ("1,3-5"), and which indexes
// still need a pod.
import { COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_LABEL, type JobPod } from './types.js';

/** The pod's completion index (annotation, else label), or undefined when absent or malformed. */
export function completionIndex(p: JobPod): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? p.metadata.labels?.[COMPLETION_INDEX_LABEL];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses "1,3-5" into a sorted set of indexes below `completions`; malformed parts are skipped as upstream does. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= Math.min(hi, completions - 1); i++) out.add(i);
  }
  return out;
}

/** The compressed form: sorted, every run of consecutive indexes written "first-last" (e.g. "0-2,5"). */
export function formatIndexes(set: Iterable<number>): string {
  const xs = [...new Set(set)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(j === i ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The first `count` indexes below `completions` that are neither done, failed nor running (firstPendingIndexes). */
export function firstPendingIndexes(count: number, completions: number, excluded: Set<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!excluded.has(i)) out.push(i);
  return out;
}
