// apiregistration.k8s.io/v1 APIService: its shape, the Available condition helpers, and the
// ordering upstream's aggregator gives groups and versions (discovery lists them in this order).
import type { KObject } from '../../api/types.js';
import { compareVersions } from '../discovery.js';

export const GROUP = 'apiregistration.k8s.io';
/** label upstream's autoregister controller puts on the APIServices it manages */
export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

export interface ServiceReference { namespace?: string; name?: string; port?: number }

export interface APIServiceSpec {
  group?: string;
  version?: string;
  service?: ServiceReference | null;
  caBundle?: string;
  insecureSkipTLSVerify?: boolean;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

export interface APIServiceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface APIService extends KObject {
  spec?: APIServiceSpec;
  status?: { conditions?: APIServiceCondition[] };
}

export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`;
}

export function isLocal(a: APIService): boolean {
  return !a.spec?.service;
}

export function availableCondition(a: APIService): APIServiceCondition | undefined {
  return a.status?.conditions?.find((c) => c.type === 'Available');
}

export function isAvailable(a: APIService): boolean {
  return availableCondition(a)?.status === 'True';
}

export function localAvailableCondition(now: string): APIServiceCondition {
  return { type: 'Available', status: 'True', lastTransitionTime: now, reason: 'Local', message: 'Local APIServices are always available' };
}

/**
 * Sets a condition as upstream's SetAPIServiceCondition: replaces the one of the same type, keeping
 * its lastTransitionTime when the status did not change.
 */
export function setCondition(a: APIService, c: APIServiceCondition): void {
  const status = (a.status ??= {});
  const conds = (status.conditions ??= []);
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) { conds.push(c); return; }
  const next = { ...c };
  if (conds[i].status === c.status && conds[i].lastTransitionTime) next.lastTransitionTime = conds[i].lastTransitionTime;
  conds[i] = next;
}

export interface Priority { group: number; version: number }

/**
 * kube-apiserver's priorities for the APIServices it registers for its own group versions (upstream
 * apiVersionPriorities merged with DefaultGenericAPIServicePriorities). A group version missing here
 * gets no local APIService upstream; Kumo gives such built-ins DEFAULT_BUILTIN instead.
 */
export const BUILTIN_PRIORITIES: Record<string, Priority> = {
  v1: { group: 18000, version: 1 },
  'apiregistration.k8s.io/v1': { group: 18000, version: 15 },
  'apps/v1': { group: 17800, version: 15 },
  'events.k8s.io/v1': { group: 17750, version: 15 },
  'authentication.k8s.io/v1': { group: 17700, version: 15 },
  'authorization.k8s.io/v1': { group: 17600, version: 15 },
  'autoscaling/v1': { group: 17500, version: 15 },
  'autoscaling/v2': { group: 17500, version: 30 },
  'batch/v1': { group: 17400, version: 15 },
  'certificates.k8s.io/v1': { group: 17300, version: 15 },
  'networking.k8s.io/v1': { group: 17200, version: 15 },
  'policy/v1': { group: 17100, version: 15 },
  'rbac.authorization.k8s.io/v1': { group: 17000, version: 15 },
  'storage.k8s.io/v1': { group: 16800, version: 15 },
  'apiextensions.k8s.io/v1': { group: 16700, version: 15 },
  'admissionregistration.k8s.io/v1': { group: 16700, version: 15 },
  'scheduling.k8s.io/v1': { group: 16600, version: 15 },
  'coordination.k8s.io/v1': { group: 16500, version: 15 },
  'node.k8s.io/v1': { group: 16300, version: 15 },
  'discovery.k8s.io/v1': { group: 16200, version: 15 },
  'flowcontrol.apiserver.k8s.io/v1': { group: 16100, version: 21 },
  'internal.apiserver.k8s.io/v1alpha1': { group: 16000, version: 9 },
};

/** a built-in group version upstream's table does not list */
export const DEFAULT_BUILTIN: Priority = { group: 15000, version: 9 };
/** what upstream's crdRegistrationController gives every CRD group version */
export const CRD_PRIORITY: Priority = { group: 1000, version: 100 };

/** one group version to order: an APIService's name and priorities */
export interface Ordered { name: string; group: string; version: string; groupPriorityMinimum: number; versionPriority: number }

export function orderedOf(a: APIService): Ordered {
  return {
    name: a.metadata?.name ?? '', group: a.spec?.group ?? '', version: a.spec?.version ?? '',
    groupPriorityMinimum: a.spec?.groupPriorityMinimum ?? 0, versionPriority: a.spec?.versionPriority ?? 0,
  };
}

/**
 * upstream SortedByGroupAndVersion: groups by their highest groupPriorityMinimum (ties: APIService
 * name), versions inside a group by versionPriority, then Kubernetes version order.
 */
export function sortByGroupAndVersion<T extends Ordered>(items: T[]): T[][] {
  const byGroupPriority = [...items].sort((a, b) =>
    b.groupPriorityMinimum - a.groupPriorityMinimum || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: T[][] = [];
  for (const cur of byGroupPriority) {
    const g = out.find((x) => x[0].group === cur.group);
    if (g) g.push(cur); else out.push([cur]);
  }
  for (const g of out) g.sort((a, b) => b.versionPriority - a.versionPriority || compareVersions(a.version, b.version));
  return out;
}
