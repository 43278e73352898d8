// The APF configuration every kube-apiserver keeps (upstream apis/flowcontrol/bootstrap): the
// mandatory `exempt` and `catch-all` levels and schemas plus the suggested ones. Objects carrying
// `apf.kubernetes.io/autoupdate-spec: "true"` are put back to these specs at start; others are
// left as the cluster admin changed them.
import type { FlowSchema, PriorityLevelConfiguration, ResourcePolicyRule, Subject } from './types.js';

export const AUTOUPDATE = 'apf.kubernetes.io/autoupdate-spec';
const meta = (name: string) => ({ name, annotations: { [AUTOUPDATE]: 'true' } });

const limited = (name: string, shares: number, lendable: number, queuing?: { queues: number; handSize: number; queueLengthLimit: number }): PriorityLevelConfiguration => ({
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: meta(name),
  spec: {
    type: 'Limited',
    limited: {
      nominalConcurrencyShares: shares, lendablePercent: lendable,
      limitResponse: queuing ? { type: 'Queue', queuing } : { type: 'Reject' },
    },
  },
});

const Q = (queueLengthLimit = 50, queues = 64, handSize = 6) => ({ queues, handSize, queueLengthLimit });

export const PRIORITY_LEVELS: PriorityLevelConfiguration[] = [
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: meta('exempt'),
    spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
  },
  limited('catch-all', 5, 0),
  limited('node-high', 40, 25, Q()),
  limited('system', 30, 33, Q()),
  limited('leader-election', 10, 0, Q(50, 16, 4)),
  limited('workload-high', 40, 50, Q(50, 128, 6)),
  limited('workload-low', 100, 90, Q(50, 128, 6)),
  limited('global-default', 20, 50, Q(50, 128, 6)),
];

const user = (name: string): Subject => ({ kind: 'User', user: { name } });
const group = (name: string): Subject => ({ kind: 'Group', group: { name } });
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', serviceAccount: { namespace, name } });
const all: ResourcePolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] };
const allNonResource = { verbs: ['*'], nonResourceURLs: ['*'] };

function schema(name: string, level: string, precedence: number, by: 'ByUser' | 'ByNamespace' | undefined,
  subjects: Subject[], resourceRules: ResourcePolicyRule[], nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[] = []): FlowSchema {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: meta(name),
    spec: {
      priorityLevelConfiguration: { name: level }, matchingPrecedence: precedence,
      ...(by ? { distinguisherMethod: { type: by } } : {}),
      rules: [{ subjects, ...(resourceRules.length ? { resourceRules } : {}), ...(nonResourceRules.length ? { nonResourceRules } : {}) }],
    },
  };
}

const leaderElectionRules: ResourcePolicyRule[] = [
  { verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
];

export const FLOW_SCHEMAS: FlowSchema[] = [
  schema('exempt', 'exempt', 1, undefined, [group('system:masters')], [all], [allNonResource]),
  schema('probes', 'exempt', 2, undefined, [group('system:unauthenticated'), group('system:authenticated')], [],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }]),
  schema('system-leader-election', 'leader-election', 100, 'ByUser',
    [user('system:kube-controller-manager'), user('system:kube-scheduler'), sa('kube-system', '*')], leaderElectionRules),
  schema('endpoint-controller', 'workload-high', 150, 'ByUser',
    [user('system:kube-controller-manager'), sa('kube-system', 'endpoint-controller')],
    [{ verbs: ['get', 'create', 'update'], apiGroups: [''], resources: ['endpoints'], namespaces: ['*'] }]),
  schema('workload-leader-election', 'leader-election', 200, 'ByUser', [sa('kube-system', '*')], leaderElectionRules),
  schema('system-node-high', 'node-high', 400, 'ByUser', [group('system:nodes')],
    [{ verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], clusterScope: true },
      { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] }]),
  schema('system-nodes', 'system', 500, 'ByUser', [group('system:nodes')], [all], [allNonResource]),
  schema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', [user('system:kube-controller-manager')], [all], [allNonResource]),
  schema('kube-scheduler', 'workload-high', 800, 'ByNamespace', [user('system:kube-scheduler')], [all], [allNonResource]),
  schema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', [sa('kube-system', '*')], [all], [allNonResource]),
  schema('service-accounts', 'workload-low', 9000, 'ByUser', [group('system:serviceaccounts')], [all], [allNonResource]),
  schema('global-default', 'global-default', 9900, 'ByUser', [group('system:unauthenticated'), group('system:authenticated')], [all], [allNonResource]),
  schema('catch-all', 'catch-all', 10000, 'ByUser', [group('system:unauthenticated'), group('system:authenticated')], [all], [allNonResource]),
];
