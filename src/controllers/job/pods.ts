// Which of a Job's pods count as what (upstream job_controller.go helpers): failed pods under the
// pod replacement policy, the pod template a Job creates (finalizer, index annotation/label/env,
// hostname), and the pods an Indexed Job must remove (duplicates, out-of-range, already succeeded).
import { controllerRef } from '../common/controllerref.js';
import { isPodActive, isPodReady, podsToDelete } from '../replicaset/pods.js';
import { completionIndex } from './indexes.js';
import {
  COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV, COMPLETION_INDEX_LABEL, INDEX_FAILURE_COUNT_ANNOTATION,
  INDEX_IGNORED_FAILURE_COUNT_ANNOTATION, JOB_TRACKING_FINALIZER, onlyReplaceFailedPods, type Job, type JobPod,
} from './types.js';

const phase = (p: JobPod) => p.status?.phase;

/**
 * isPodFailed: phase Failed; or, unless only Failed pods are replaced, a pod being deleted before it
 * succeeded (so orphaned pods that never reach Failed still count).
 */
export function isPodFailed(p: JobPod, job: Job): boolean {
  if (phase(p) === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(p.metadata.deletionTimestamp) && phase(p) !== 'Succeeded';
}

/** Being deleted but not yet finished (status.terminating). */
export const isPodTerminating = (p: JobPod) => Boolean(p.metadata.deletionTimestamp) && phase(p) !== 'Succeeded' && phase(p) !== 'Failed';

export { isPodActive, isPodReady };

/** The pod a Job creates from its template; `index` for Indexed Jobs, `failures` for backoffLimitPerIndex. */
export function podFromTemplate(job: Job, index?: number, failures?: { counted: number; ignored: number }): Record<string, any> {
  const tmpl = job.spec.template ?? {};
  const labels: Record<string, string> = { ...(tmpl.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(tmpl.metadata?.annotations ?? {}) };
  const spec: Record<string, any> = structuredClone(tmpl.spec ?? {});
  let generateName = `${job.metadata.name}-`;
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[COMPLETION_INDEX_LABEL] = String(index);
    generateName = `${job.metadata.name}-${index}-`;
    if (!spec.hostname) spec.hostname = `${job.metadata.name}-${index}`;
    for (const list of [spec.initContainers, spec.containers]) {
      for (const c of (Array.isArray(list) ? list : []) as { env?: { name: string }[] }[]) {
        if (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
        c.env = [...(c.env ?? []), { name: COMPLETION_INDEX_ENV,
          valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } } as { name: string }];
      }
    }
    if (failures) {
      annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(failures.counted);
      if (failures.ignored > 0) annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(failures.ignored);
    }
  }
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName, namespace: job.metadata.namespace, labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: [JOB_TRACKING_FINALIZER],
      ownerReferences: [controllerRef({ apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata })],
    },
    spec,
  };
}

/**
 * Active pods of an Indexed Job to remove first: a bad or out-of-range index, an index already
 * succeeded, or a second pod for the same index (the ready/older one is kept).
 */
export function indexedPodsForRemoval(active: JobPod[], completions: number, succeeded: Set<number>): JobPod[] {
  const out: JobPod[] = [];
  const byIndex = new Map<number, JobPod[]>();
  for (const p of active) {
    const ix = completionIndex(p);
    if (ix === undefined || ix >= completions || succeeded.has(ix)) { out.push(p); continue; }
    const list = byIndex.get(ix) ?? [];
    list.push(p);
    byIndex.set(ix, list);
  }
  for (const list of byIndex.values()) if (list.length > 1) out.push(...(podsToDelete(list, list, list.length - 1) as JobPod[]));
  return out;
}

/** Failures of an index so far as the pod records them (annotation), plus this pod's own failure. */
export function indexFailureCount(p: JobPod, counted: boolean): { counted: number; ignored: number } {
  const a = p.metadata.annotations ?? {};
  const n = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : 0);
  const c = n(a[INDEX_FAILURE_COUNT_ANNOTATION]), i = n(a[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION]);
  return counted ? { counted: c + 1, ignored: i } : { counted: c, ignored: i + 1 };
}
