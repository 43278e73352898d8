// Status validation for the workload kinds (upstream ValidateDeploymentStatus, ReplicaSet, StatefulSet,
// DaemonSet, Job): counters are non-negative and consistent. Runs on every write; status only
// changes through /status, so in practice it guards status updates from controllers.
import { field, type FieldError } from '../../machinery/errors.js';
import type { KObject } from '../types.js';

const NON_NEGATIVE: Record<string, string[]> = {
  'apps/deployments': ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas', 'collisionCount'],
  'apps/replicasets': ['observedGeneration', 'replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'terminatingReplicas'],
  '/replicationcontrollers': ['observedGeneration', 'replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
  'apps/statefulsets': ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'collisionCount'],
  'apps/daemonsets': ['observedGeneration', 'currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'],
  'batch/jobs': ['active', 'succeeded', 'failed', 'ready', 'terminating'],
};

/** at most `le` counters (a ≤ b pairs, as upstream checks them) */
const AT_MOST: Record<string, [string, string][]> = {
  'apps/deployments': [['readyReplicas', 'replicas'], ['availableReplicas', 'replicas'], ['availableReplicas', 'readyReplicas']],
  'apps/replicasets': [['fullyLabeledReplicas', 'replicas'], ['readyReplicas', 'replicas'], ['availableReplicas', 'replicas'], ['availableReplicas', 'readyReplicas']],
  'apps/statefulsets': [['readyReplicas', 'replicas'], ['currentReplicas', 'replicas'], ['updatedReplicas', 'replicas'], ['availableReplicas', 'replicas'], ['availableReplicas', 'readyReplicas']],
};

export function validateStatus(key: string, obj: KObject): FieldError[] {
  const fields = NON_NEGATIVE[key];
  const status = obj.status as Record<string, unknown> | undefined;
  if (!fields || !status || typeof status !== 'object') return [];
  const errs: FieldError[] = [];
  for (const f of fields) {
    const v = status[f];
    if (typeof v === 'number' && v < 0) errs.push(field.invalid(`status.${f}`, v, 'must be greater than or equal to 0'));
  }
  for (const [a, b] of AT_MOST[key] ?? []) {
    const va = status[a], vb = status[b];
    if (typeof va === 'number' && typeof vb === 'number' && va > vb && va >= 0 && vb >= 0) {
      errs.push(field.invalid(`status.${a}`, va, `cannot be greater than status.${b}`));
    }
  }
  return errs;
}
