// What a kubelet reports for a pod it runs: phase, IPs, conditions and container statuses.
// Containers "start" at once; a pod annotated sim.kumo.dev/run-seconds ends after that long.
import { createHash } from 'node:crypto';
import { timestamp } from './node-status.js';

type Obj = Record<string, unknown>;
export interface PodCondition { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string; reason?: string; message?: string }
interface Container { name: string; image?: string; restartPolicy?: string }
export interface PodLike {
  metadata?: { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec?: { containers?: Container[]; initContainers?: Container[]; readinessGates?: { conditionType: string }[]; nodeName?: string; restartPolicy?: string };
  status?: { phase?: string; conditions?: PodCondition[]; podIP?: string; startTime?: string; containerStatuses?: Obj[] };
}

export const RUN_SECONDS_ANNOTATION = 'sim.kumo.dev/run-seconds';
export const EXIT_CODE_ANNOTATION = 'sim.kumo.dev/exit-code';
/** condition types this simulator owns; others (readiness gates, DisruptionTarget) are left alone */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

/** Seconds until the pod's containers exit, or undefined when they run forever. */
export function runSeconds(pod: PodLike): number | undefined {
  const v = pod.metadata?.annotations?.[RUN_SECONDS_ANNOTATION];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function exitCode(pod: PodLike): number {
  const n = Number(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : 1;
}

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);
export const containerID = (uid: string, name: string): string => `sim://${hex(`${uid}/${name}`, 64)}`;

/** Full image reference and a stable fake digest, as a container runtime reports them. */
export function imageRefs(image = ''): { image: string; imageID: string } {
  const parts = image.split('/');
  const hasRegistry = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
  let ref = hasRegistry ? image : `docker.io/${parts.length === 1 ? 'library/' : ''}${image}`;
  const [name, digest] = ref.split('@');
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  const repo = lastPart.includes(':') ? name.slice(0, name.length - lastPart.length + lastPart.indexOf(':')) : name;
  if (!digest && !lastPart.includes(':')) ref = `${ref}:latest`;
  return { image: ref, imageID: `${repo}@${digest ?? `sha256:${hex(image, 64)}`}` };
}

/**
 * Ready, given ContainersReady and the readiness gates: True only when containers are ready and
 * every spec.readinessGates conditionType is True in `conditions` (upstream wording for why not).
 */
export function readyCondition(pod: PodLike, containersReady: boolean, conditions: PodCondition[] | undefined,
  lastTransitionTime: string): PodCondition {
  if (!containersReady) {
    return { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime, reason: 'ContainersNotReady', message: 'containers with unready status' };
  }
  const unready: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = conditions?.find((x) => x.type === g.conditionType);
    if (!c) unready.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') unready.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  if (unready.length) {
    return { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime, reason: 'ReadinessGatesNotReady', message: unready.join(', ') };
  }
  return { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime };
}

/** Keep a condition's lastTransitionTime when its status did not change. */
function carry(prev: PodCondition[] | undefined, c: PodCondition): PodCondition {
  const p = prev?.find((x) => x.type === c.type);
  return p && p.status === c.status && p.lastTransitionTime ? { ...c, lastTransitionTime: p.lastTransitionTime } : c;
}

const cond = (type: string, status: string, t: string, reason?: string): PodCondition =>
  ({ type, status, lastProbeTime: null, lastTransitionTime: t, ...(reason ? { reason } : {}) });

/** Status of a pod whose containers have just started (or started at `startTime` when adopted). */
export function runningStatus(pod: PodLike, hostIP: string, podIP: string, nowMs: number): Obj {
  const now = timestamp(nowMs);
  const started = pod.status?.startTime ?? now;
  const uid = pod.metadata?.uid ?? '';
  const prev = pod.status?.conditions;
  const conditions = [
    cond('PodReadyToStartContainers', 'True', now),
    cond('Initialized', 'True', now),
    readyCondition(pod, true, prev, now),
    cond('ContainersReady', 'True', now),
    cond('PodScheduled', 'True', now),
  ].map((c) => carry(prev, c));
  return {
    phase: 'Running',
    conditions,
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime: started,
    ...(pod.spec?.initContainers?.length ? { initContainerStatuses: pod.spec.initContainers.map((c) => initStatus(uid, c, started)) } : {}),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name, ...imageRefs(c.image), containerID: containerID(uid, c.name),
      ready: true, started: true, restartCount: 0,
      state: { running: { startedAt: started } }, lastState: {},
    })),
  };
}

/** Init containers ran to completion before the app containers started; sidecars keep running. */
function initStatus(uid: string, c: Container, started: string): Obj {
  const sidecar = c.restartPolicy === 'Always';
  return {
    name: c.name, ...imageRefs(c.image), containerID: containerID(uid, c.name),
    ready: true, started: sidecar, restartCount: 0, lastState: {},
    state: sidecar ? { running: { startedAt: started } }
      : { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started, containerID: containerID(uid, c.name) } },
  };
}

/** Status once every container exited with `code`: Succeeded for 0, Failed otherwise. */
export function terminatedStatus(pod: PodLike, hostIP: string, podIP: string, nowMs: number, code = 0): Obj {
  const now = timestamp(nowMs);
  const base = runningStatus(pod, hostIP, podIP, nowMs);
  const started = base.startTime as string;
  const uid = pod.metadata?.uid ?? '';
  const reason = code === 0 ? 'Completed' : 'Error';
  const prev = pod.status?.conditions;
  const conditions = [
    cond('PodReadyToStartContainers', 'False', now),
    cond('Initialized', 'True', now, 'PodCompleted'),
    { ...cond('Ready', 'False', now, 'PodCompleted') },
    cond('ContainersReady', 'False', now, 'PodCompleted'),
    cond('PodScheduled', 'True', now),
  ].map((c) => carry(prev, c));
  return {
    ...base,
    phase: code === 0 ? 'Succeeded' : 'Failed',
    conditions,
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name, ...imageRefs(c.image), containerID: containerID(uid, c.name),
      ready: false, started: false, restartCount: 0, lastState: {},
      state: { terminated: { exitCode: code, reason, startedAt: started, finishedAt: now, containerID: containerID(uid, c.name) } },
    })),
  };
}

/** The Ready condition to write when a readiness gate changed, or undefined when nothing changes. */
export function readyUpdate(pod: PodLike, nowMs: number): PodCondition | undefined {
  if (pod.status?.phase !== 'Running') return undefined;
  const conds = pod.status.conditions ?? [];
  const cur = conds.find((c) => c.type === 'Ready');
  const containersReady = conds.find((c) => c.type === 'ContainersReady')?.status === 'True';
  const want = readyCondition(pod, containersReady, conds, timestamp(nowMs));
  if (cur && cur.status === want.status && (cur.reason ?? '') === (want.reason ?? '') && (cur.message ?? '') === (want.message ?? '')) return undefined;
  return cur && cur.status === want.status && cur.lastTransitionTime ? { ...want, lastTransitionTime: cur.lastTransitionTime } : want;
}

/** True when this simulator already reported the pod (its container IDs carry the sim:// runtime). */
export function reportedBySim(pod: PodLike): boolean {
  const cs = pod.status?.containerStatuses;
  return !!cs?.length && cs.every((c) => String(c.containerID ?? '').startsWith('sim://'));
}
