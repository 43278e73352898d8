// Resource arithmetic as upstream's resourcehelper.PodRequests: cpu in millicores, everything else
// in whole units; init containers count as max(init, sum(regular)), sidecars (restartable init
// containers) add up, and pod overhead is added on top.
import { tryParseQuantity } from '../machinery/quantity.js';
import type { Container, Pod } from './types.js';

export type ResourceList = Map<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';
/** requests assumed for scoring when a container sets none (upstream DefaultMilliCPURequest / DefaultMemoryRequest) */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** One quantity in the scheduler's unit: millicores for cpu, units (rounded up) otherwise. */
export function quantityValue(name: string, q: string | number | undefined): number {
  const parsed = q === undefined ? undefined : tryParseQuantity(q);
  if (!parsed) return 0;
  return Number(name === CPU ? parsed.milliValue() : parsed.value());
}

export function toResourceList(raw: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of Object.entries(raw ?? {})) out.set(k, quantityValue(k, v));
  return out;
}

function add(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}
function max(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of from) if (v > (into.get(k) ?? 0)) into.set(k, v);
}

function containerRequests(c: Container, nonZero: boolean): ResourceList {
  const r = toResourceList(c.resources?.requests);
  if (nonZero) {
    if (!r.has(CPU)) r.set(CPU, DEFAULT_MILLI_CPU_REQUEST);
    if (!r.has(MEMORY)) r.set(MEMORY, DEFAULT_MEMORY_REQUEST);
  }
  return r;
}

/**
 * The pod's effective requests. With `nonZero`, containers missing a cpu or memory request count
 * with upstream's defaults (used for scoring, never for fit).
 */
export function podRequests(pod: Pod, nonZero = false): ResourceList {
  const reqs: ResourceList = new Map();
  for (const c of pod.spec.containers ?? []) add(reqs, containerRequests(c, nonZero));
  const sidecars: ResourceList = new Map();
  const init: ResourceList = new Map();
  for (const c of pod.spec.initContainers ?? []) {
    const cr = containerRequests(c, nonZero);
    let effective: ResourceList;
    if (c.restartPolicy === 'Always') {
      add(reqs, cr);
      add(sidecars, cr);
      effective = new Map(sidecars);
    } else {
      effective = new Map(cr);
      add(effective, sidecars);
    }
    max(init, effective);
  }
  max(reqs, init);
  add(reqs, toResourceList(pod.spec.overhead));
  return reqs;
}

/** Resources a node offers to pods: status.allocatable, falling back to capacity as upstream's node info does. */
export function nodeAllocatable(node: { status?: { allocatable?: Record<string, string | number>; capacity?: Record<string, string | number> } }): ResourceList {
  return toResourceList(node.status?.allocatable ?? node.status?.capacity);
}

/** Extended and hugepage resources are "scalar" resources in upstream's terms. */
export function isScalarResource(name: string): boolean {
  return name !== CPU && name !== MEMORY && name !== EPHEMERAL_STORAGE && name !== PODS;
}
