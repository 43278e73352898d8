// Pod re-creation backoff after failures (upstream backoff_utils.go): 10 s doubling per failure since
// the last success, capped at 6 minutes, counted from the last failure's finish time.
import type { JobPod } from './types.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

export interface BackoffRecord { failuresAfterLastSuccess: number; lastFailureTime?: number }

/** How long pod creation must still wait (getRemainingTime); 0 when it may go ahead. */
export function remainingBackoff(rec: BackoffRecord, now: number, baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  const backoff = Math.min(maxMs, baseMs * 2 ** (rec.failuresAfterLastSuccess - 1));
  const elapsed = now - rec.lastFailureTime;
  return elapsed >= backoff ? 0 : backoff - elapsed;
}

/**
 * When a pod finished (getFinishedTime): its last container termination, else when Ready turned False, else its deletion time, else `now`.
 */
export function podFinishTime(p: JobPod, now: number): number {
  let last: number | undefined;
  for (const cs of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) {
    const t = Date.parse(cs.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && (last === undefined || t > last)) last = t;
  }
  if (last !== undefined) return last;
  const readyCond = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  const ready = Date.parse(readyCond?.lastTransitionTime ?? '');
  if (!Number.isNaN(ready)) return ready;
  // deletionTimestamp is when the grace period ends: the deletion was asked for that much earlier
  const del = Date.parse(p.metadata.deletionTimestamp ?? '');
  const grace = Number(p.metadata.deletionGracePeriodSeconds ?? 0);
  return Number.isNaN(del) ? now : del - (Number.isFinite(grace) ? grace : 0) * 1000;
}

/**
 * The record after newly finished pods (newBackoffRecord): a success since the last failure resets
 * the count; each new failure adds one and moves lastFailureTime to the latest finish.
 */
export function updateBackoff(rec: BackoffRecord, newSucceeded: JobPod[], newFailed: JobPod[], now: number): BackoffRecord {
  const lastSuccess = Math.max(-Infinity, ...newSucceeded.map((p) => podFinishTime(p, now)));
  const failures = newFailed.map((p) => podFinishTime(p, now));
  if (newSucceeded.length === 0) {
    if (failures.length === 0) return rec;
    return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failures.length,
      lastFailureTime: Math.max(rec.lastFailureTime ?? -Infinity, ...failures) };
  }
  const after = failures.filter((t) => t > lastSuccess);
  if (after.length === 0) return { failuresAfterLastSuccess: 0 };
  return { failuresAfterLastSuccess: after.length, lastFailureTime: Math.max(...after) };
}
