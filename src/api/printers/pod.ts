// Pods: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED-NODE READINESS-GATES. STATUS follows
// upstream's reasoning over phase, init containers, container states and deletion.

import type { KObject, Printer } from '../types.js';
import { parseTime, translateTimestampSince } from './duration.js';
import { ageColumn, arr, col, condition, get, int, nameColumn, nameOf, str, type Obj } from './util.js';

// the status.reason the node lifecycle controller sets on pods of an unreachable node
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object';

/** an init container with restartPolicy Always is a sidecar: it counts as a regular container */
const isRestartable = (c: Obj | undefined) => c?.restartPolicy === 'Always';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS of a pod, as `kubectl get pods` shows them. */
export function summarizePod(pod: KObject, now: number): PodSummary {
  let restarts = 0;
  let restartableInitRestarts = 0;
  let total = arr(pod, 'spec.containers').length;
  let ready = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined) =>
    b !== undefined && (a === undefined || a < b) ? b : a;

  const phase = str(pod, 'status.phase');
  let reason = str(pod, 'status.reason') || phase;

  for (const c of arr(pod, 'status.conditions')) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = arr(pod, 'spec.initContainers');
  const initByName = new Map<string, Obj>();
  for (const c of initSpecs) {
    initByName.set(str(c, 'name'), c);
    if (isRestartable(c)) total++;
  }

  let initializing = false;
  const initStatuses = arr(pod, 'status.initContainerStatuses');
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const restartable = isRestartable(initByName.get(str(cs, 'name')));
    restarts += int(cs, 'restartCount');
    const finished = parseTime(get(cs, 'lastState.terminated.finishedAt'));
    if (isObj(get(cs, 'lastState.terminated'))) lastRestart = later(lastRestart, finished);
    if (restartable) {
      restartableInitRestarts += int(cs, 'restartCount');
      if (isObj(get(cs, 'lastState.terminated'))) lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
    }
    const terminated = get(cs, 'state.terminated');
    const waitingReason = str(cs, 'state.waiting.reason');
    if (isObj(terminated) && int(terminated, 'exitCode') === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (isObj(terminated)) {
      // initialization failed
      const r = str(terminated, 'reason');
      if (r) reason = `Init:${r}`;
      else if (int(terminated, 'signal') !== 0) reason = `Init:Signal:${int(terminated, 'signal')}`;
      else reason = `Init:ExitCode:${int(terminated, 'exitCode')}`;
    } else if (waitingReason && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || condition(pod, 'Initialized')?.status === 'True') {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(pod, 'status.containerStatuses');
    // walk backwards so the first container's state wins
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs, 'restartCount');
      if (isObj(get(cs, 'lastState.terminated'))) {
        lastRestart = later(lastRestart, parseTime(get(cs, 'lastState.terminated.finishedAt')));
      }
      const terminated = get(cs, 'state.terminated');
      const waitingReason = str(cs, 'state.waiting.reason');
      if (waitingReason) {
        reason = waitingReason;
      } else if (isObj(terminated) && str(terminated, 'reason')) {
        reason = str(terminated, 'reason');
      } else if (isObj(terminated)) {
        reason = int(terminated, 'signal') !== 0
          ? `Signal:${int(terminated, 'signal')}`
          : `ExitCode:${int(terminated, 'exitCode')}`;
      } else if (cs.ready === true && isObj(get(cs, 'state.running'))) {
        hasRunning = true;
        ready++;
      }
    }
    // a container still running means the pod is not done yet
    if (reason === 'Completed' && hasRunning) {
      reason = condition(pod, 'Ready')?.status === 'True' ? 'Running' : 'NotReady';
    }
  }

  const deleting = parseTime(pod.metadata?.deletionTimestamp) !== undefined;
  if (deleting && str(pod, 'status.reason') === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsStr = `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsStr };
}

function readinessGates(pod: KObject): string {
  const gates = arr(pod, 'spec.readinessGates');
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const g of gates) {
    if (condition(pod, str(g, 'conditionType'))?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageColumn(),
    col('IP', 'string', 'IP address allocated to the pod; routable at least within the cluster.', 1),
    col('Node', 'string', 'The node this pod is scheduled to run on.', 1),
    col('Nominated Node', 'string', 'The node the scheduler nominated for this pod while preempting other pods.', 1),
    col('Readiness Gates', 'string', 'Extra conditions that must be true for the pod to be ready.', 1),
  ],
  cells(pod, now) {
    const s = summarizePod(pod, now);
    const podIPs = arr(pod, 'status.podIPs');
    const podIP = (podIPs.length > 0 ? str(podIPs[0], 'ip') : str(pod, 'status.podIP')) || '<none>';
    return [
      nameOf(pod), s.ready, s.status, s.restarts, translateTimestampSince(pod.metadata?.creationTimestamp, now),
      podIP, str(pod, 'spec.nodeName') || '<none>', str(pod, 'status.nominatedNodeName') || '<none>', readinessGates(pod),
    ];
  },
};
