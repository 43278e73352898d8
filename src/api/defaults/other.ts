// Defaults for the non-core groups without pod templates.

import { child, isObj, items, maybe, setDefault, type Obj } from './util.js';

const unset = (v: unknown): boolean => v === undefined || v === null;

export function defaultEndpointSlice(obj: Obj): void {
  for (const p of items(obj, 'ports')) {
    if (unset(p.name)) p.name = '';
    setDefault(p, 'protocol', 'TCP');
  }
}

export function defaultNetworkPolicy(obj: Obj): void {
  const spec = child(obj, 'spec');
  for (const dir of ['ingress', 'egress']) {
    for (const rule of items(spec, dir)) for (const p of items(rule, 'ports')) setDefault(p, 'protocol', 'TCP');
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    const types = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length > 0) types.push('Egress');
    spec.policyTypes = types;
  }
}

export function defaultStorageClass(obj: Obj): void {
  setDefault(obj, 'reclaimPolicy', 'Delete');
  setDefault(obj, 'volumeBindingMode', 'Immediate');
}

export function defaultCSIDriver(obj: Obj): void {
  const spec = child(obj, 'spec');
  if (unset(spec.attachRequired)) spec.attachRequired = true;
  if (unset(spec.podInfoOnMount)) spec.podInfoOnMount = false;
  if (unset(spec.storageCapacity)) spec.storageCapacity = false;
  setDefault(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  if (unset(spec.requiresRepublish)) spec.requiresRepublish = false;
  if (unset(spec.seLinuxMount)) spec.seLinuxMount = false;
  if (!Array.isArray(spec.volumeLifecycleModes) || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ['Persistent'];
}

export function defaultPriorityClass(obj: Obj): void {
  setDefault(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function defaultSubjects(obj: Obj): void {
  for (const s of items(obj, 'subjects')) {
    if (s.apiGroup !== undefined && s.apiGroup !== null && s.apiGroup !== '') continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}
export const defaultRoleBinding = defaultSubjects;
export const defaultClusterRoleBinding = defaultSubjects;

function defaultScalingRules(rules: Obj | undefined, up: boolean): Obj {
  const r: Obj = rules ?? {};
  if (unset(r.stabilizationWindowSeconds)) r.stabilizationWindowSeconds = up ? 0 : 300;
  setDefault(r, 'selectPolicy', 'Max');
  if (!Array.isArray(r.policies) || r.policies.length === 0) {
    r.policies = up
      ? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
  return r;
}

/** autoscaling v1 and v2 share one resource; the apiVersion decides which defaults apply */
export function defaultHorizontalPodAutoscaler(obj: Obj): void {
  const spec = child(obj, 'spec');
  if (unset(spec.minReplicas)) spec.minReplicas = 1;
  if (obj.apiVersion === 'autoscaling/v1') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = maybe(spec, 'behavior');
  if (behavior) {
    behavior.scaleUp = defaultScalingRules(maybe(behavior, 'scaleUp'), true);
    behavior.scaleDown = defaultScalingRules(maybe(behavior, 'scaleDown'), false);
  }
}

export function defaultIngressClass(obj: Obj): void {
  const params = maybe(maybe(obj, 'spec'), 'parameters');
  if (params && isObj(params) && unset(params.scope)) params.scope = 'Cluster';
}
