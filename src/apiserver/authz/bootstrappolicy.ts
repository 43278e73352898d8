// upstream's default RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): the ClusterRoles
// and ClusterRoleBindings every cluster starts with, written out here in Kumo's own form.
import type { KObject } from '../../api/types.js';
import type { PolicyRule, Subject } from './rbac/rules.js';

const RW = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const R = ['get', 'list', 'watch'];
const W = ['create', 'delete', 'deletecollection', 'patch', 'update'];

export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
export const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule {
  const r: PolicyRule = { verbs, apiGroups, resources };
  if (resourceNames) r.resourceNames = resourceNames;
  return r;
}
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const events = () => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

function role(name: string, rules: PolicyRule[], extraLabels: Record<string, string> = {}, aggregateFrom?: string): KObject {
  const o: KObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extraLabels }, annotations: { ...AUTOUPDATE } },
    rules,
  };
  if (aggregateFrom) o.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: 'true' } }] };
  return o;
}

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

export function clusterRoles(): KObject[] {
  return [
    role('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    role('system:discovery', [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])]),
    role('system:monitoring', [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])]),
    role('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    role('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    // the user-facing roles get their rules by aggregation from the system:aggregate-to-* roles
    role('admin', [], {}, AGG_ADMIN),
    role('edit', [], { [AGG_ADMIN]: 'true' }, AGG_EDIT),
    role('view', [], { [AGG_EDIT]: 'true' }, AGG_VIEW),
    role('system:aggregate-to-admin', [
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      rule(RW, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
    ], { [AGG_ADMIN]: 'true' }),
    role('system:aggregate-to-edit', [
      rule(R, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(W, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [''], ['pods/eviction']),
      rule(W, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(W, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      rule(W, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(W, ['batch'], ['cronjobs', 'jobs']),
      rule(W, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      rule(W, ['policy'], ['poddisruptionbudgets']),
      rule(W, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      rule(RW, ['coordination.k8s.io'], ['leases']),
    ], { [AGG_EDIT]: 'true' }),
    role('system:aggregate-to-view', [
      rule(R, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      rule(R, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      rule(R, [''], ['namespaces']),
      rule(R, ['discovery.k8s.io'], ['endpointslices']),
      rule(R, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      rule(R, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(R, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(R, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
      rule(R, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(R, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ], { [AGG_VIEW]: 'true' }),
    role('system:heapster', [rule(R, [''], ['events', 'namespaces', 'nodes', 'pods']), rule(R, ['extensions'], ['deployments'])]),
    role('system:node', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      rule(R, [''], ['services']),
      rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['patch', 'update'], [''], ['nodes']),
      rule(['create', 'patch', 'update'], [''], ['events']),
      rule(R, [''], ['pods']),
      rule(['create', 'delete'], [''], ['pods']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['create'], [''], ['pods/eviction']),
      rule(R, [''], ['configmaps', 'secrets']),
      rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], [''], ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      rule(R, ['storage.k8s.io'], ['csidrivers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      rule(R, ['node.k8s.io'], ['runtimeclasses']),
    ]),
    role('system:node-problem-detector', [
      rule(['get'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status']), events(),
    ]),
    role('system:node-proxier', [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(R, [''], ['nodes']),
      events(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    role('system:kubelet-api-admin', [
      rule(R, [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
    ]),
    role('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    role('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    role('system:kube-aggregator', [rule(R, [''], ['endpoints', 'services'])]),
    role('system:kube-controller-manager', [
      events(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ]),
    role('system:kube-dns', [rule(['list', 'watch'], [''], ['endpoints', 'services'])]),
    role('system:kube-scheduler', [
      events(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(R, [''], ['nodes']),
      rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(R, [''], ['replicationcontrollers', 'services']),
      rule(R, ['apps', 'extensions'], ['replicasets']),
      rule(R, ['apps'], ['statefulsets']),
      rule(R, ['policy'], ['poddisruptionbudgets']),
      rule(R, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(R, ['storage.k8s.io'], ['csinodes']),
      rule(R, [''], ['namespaces']),
      rule(R, ['storage.k8s.io'], ['csidrivers']),
      rule(R, ['storage.k8s.io'], ['csistoragecapacities']),
    ]),
    role('system:volume-scheduler', [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(R, ['storage.k8s.io'], ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
    ]),
    role('system:persistent-volume-provisioner', [
      rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(R, ['storage.k8s.io'], ['storageclasses']),
      rule(['watch'], [''], ['events']),
      events(),
    ]),
    role('system:service-account-issuer-discovery', [urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])]),
    role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
    role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
    role('system:certificates.k8s.io:kube-apiserver-client-approver', [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
    role('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
    role('system:certificates.k8s.io:kubelet-serving-approver', [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving'])]),
    role('system:certificates.k8s.io:legacy-unknown-approver', [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown'])]),
    ...controllerRoles(),
  ];
}

const user = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
const group = (name: string): Subject => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

function binding(name: string, subjects: Subject[], roleName = name): KObject {
  const o: KObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  };
  // upstream's system:node binding has no subjects (the Node authorizer serves kubelets)
  if (subjects.length) o.subjects = subjects;
  return o;
}

export function clusterRoleBindings(): KObject[] {
  return [
    binding('cluster-admin', [group('system:masters')]),
    binding('system:basic-user', [group('system:authenticated')]),
    binding('system:discovery', [group('system:authenticated')]),
    binding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    binding('system:kube-dns', [sa('kube-system', 'kube-dns')]),
    binding('system:kube-scheduler', [user('system:kube-scheduler')]),
    binding('system:monitoring', [group('system:monitoring')]),
    binding('system:node', []),
    binding('system:node-proxier', [user('system:kube-proxy')]),
    binding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    binding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    binding('system:volume-scheduler', [user('system:kube-scheduler')]),
    ...controllerRoleNames().map((n) => binding(`system:controller:${n}`, [sa('kube-system', n)])),
  ];
}

// --- controller roles (upstream controller_policy.go): one ServiceAccount in kube-system per controller

function controllerRoleSpecs(): Record<string, PolicyRule[]> {
  const ev = events();
  return {
    'attachdetach-controller': [
      rule(['list', 'watch'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['list', 'watch'], [''], ['pods']),
      ev,
      rule(['create', 'delete', 'get', 'list', 'watch'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['csidrivers']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['csinodes']),
    ],
    'clusterrole-aggregation-controller': [rule(['escalate', 'get', 'list', 'patch', 'update', 'watch'], ['rbac.authorization.k8s.io'], ['clusterroles'])],
    'cronjob-controller': [
      rule(['get', 'list', 'update', 'watch'], ['batch'], ['cronjobs']),
      rule(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['batch'], ['jobs']),
      rule(['update'], ['batch'], ['cronjobs/status']),
      rule(['update'], ['batch'], ['cronjobs/finalizers']),
      rule(['delete', 'list'], [''], ['pods']),
      ev,
    ],
    'daemon-set-controller': [
      rule(['get', 'list', 'watch'], ['apps', 'extensions'], ['daemonsets']),
      rule(['update'], ['apps', 'extensions'], ['daemonsets/status']),
      rule(['update'], ['apps', 'extensions'], ['daemonsets/finalizers']),
      rule(['list', 'watch'], [''], ['nodes']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding']),
      rule(['create', 'delete', 'list', 'patch', 'update', 'watch'], ['apps'], ['controllerrevisions']),
      ev,
    ],
    'deployment-controller': [
      rule(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['deployments']),
      rule(['update'], ['apps', 'extensions'], ['deployments/status']),
      rule(['update'], ['apps', 'extensions'], ['deployments/finalizers']),
      rule(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']),
      rule(['get', 'list', 'update', 'watch'], [''], ['pods']),
      ev,
    ],
    'disruption-controller': [
      rule(['get', 'list', 'watch'], ['apps', 'extensions'], ['deployments']),
      rule(['get', 'list', 'watch'], ['apps', 'extensions'], ['replicasets']),
      rule(['get', 'list', 'watch'], [''], ['replicationcontrollers']),
      rule(['get', 'list', 'watch'], ['policy'], ['poddisruptionbudgets']),
      rule(['get', 'list', 'watch'], ['apps'], ['statefulsets']),
      rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
      rule(['get'], ['*'], ['*/scale']),
      rule(['patch', 'update'], [''], ['pods/status']),
      ev,
    ],
    'endpoint-controller': [
      rule(['get', 'list', 'watch'], [''], ['pods', 'services']),
      rule(['create', 'delete', 'get', 'list', 'update'], [''], ['endpoints']),
      rule(['create'], [''], ['endpoints/restricted']),
      ev,
    ],
    'endpointslice-controller': [
      rule(['get', 'list', 'watch'], [''], ['nodes', 'pods', 'services']),
      rule(['update'], [''], ['services/finalizers']),
      rule(['create', 'delete', 'get', 'list', 'update'], ['discovery.k8s.io'], ['endpointslices']),
      ev,
    ],
    'endpointslicemirroring-controller': [
      rule(['get', 'list', 'watch'], [''], ['endpoints', 'services']),
      rule(['update'], [''], ['endpoints/finalizers', 'services/finalizers']),
      rule(['create', 'delete', 'get', 'list', 'update'], ['discovery.k8s.io'], ['endpointslices']),
      ev,
    ],
    'ephemeral-volume-controller': [
      rule(['get', 'list', 'watch'], [''], ['pods']),
      rule(['update'], [''], ['pods/finalizers']),
      rule(['create', 'get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
      ev,
    ],
    'expand-controller': [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(['patch', 'update'], [''], ['persistentvolumeclaims/status']),
      rule(['get', 'list', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['get'], [''], ['endpoints', 'services']),
      rule(['get'], [''], ['secrets']),
      ev,
    ],
    'generic-garbage-collector': [rule(['delete', 'get', 'list', 'patch', 'update', 'watch'], ['*'], ['*'])],
    'horizontal-pod-autoscaler': [
      rule(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']),
      rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
      rule(['get', 'update'], ['*'], ['*/scale']),
      rule(['list'], [''], ['pods']),
      rule(['list'], ['metrics.k8s.io'], ['pods']),
      rule(['get', 'list'], ['custom.metrics.k8s.io'], ['*']),
      rule(['get', 'list'], ['external.metrics.k8s.io'], ['*']),
      ev,
    ],
    'job-controller': [
      rule(['get', 'list', 'update', 'watch'], ['batch'], ['jobs']),
      rule(['update'], ['batch'], ['jobs/status']),
      rule(['update'], ['batch'], ['jobs/finalizers']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
      ev,
    ],
    'namespace-controller': [
      rule(['delete', 'get', 'list', 'watch'], [''], ['namespaces']),
      rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
      rule(['delete', 'deletecollection', 'get', 'list'], ['*'], ['*']),
    ],
    'node-controller': [
      rule(['delete', 'get', 'list', 'patch', 'update'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['delete', 'list'], [''], ['pods']),
      ev,
    ],
    'persistent-volume-binder': [
      rule(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(['update'], [''], ['persistentvolumes/status']),
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['update'], [''], ['persistentvolumeclaims/status']),
      rule(['get', 'list', 'watch'], [''], ['pods']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
      rule(['create', 'delete', 'get', 'update'], [''], ['endpoints']),
      rule(['create', 'delete', 'get'], [''], ['services']),
      rule(['get'], [''], ['secrets']),
      rule(['get', 'list'], [''], ['nodes']),
      rule(['watch'], [''], ['events']),
      ev,
    ],
    'pod-garbage-collector': [
      rule(['delete', 'list', 'watch'], [''], ['pods']),
      rule(['get', 'list'], [''], ['nodes']),
      rule(['patch'], [''], ['pods/status']),
    ],
    'pv-protection-controller': [rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumes']), ev],
    'pvc-protection-controller': [
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(['get', 'list', 'watch'], [''], ['pods']),
      ev,
    ],
    'replicaset-controller': [
      rule(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']),
      rule(['update'], ['apps', 'extensions'], ['replicasets/status']),
      rule(['update'], ['apps', 'extensions'], ['replicasets/finalizers']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
      ev,
    ],
    'replication-controller': [
      rule(['get', 'list', 'update', 'watch'], [''], ['replicationcontrollers']),
      rule(['update'], [''], ['replicationcontrollers/status']),
      rule(['update'], [''], ['replicationcontrollers/finalizers']),
      rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
      ev,
    ],
    'resourcequota-controller': [
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['update'], [''], ['resourcequotas/status']),
      ev,
    ],
    'root-ca-cert-publisher': [rule(['create', 'update'], [''], ['configmaps']), ev],
    'route-controller': [rule(['list'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status']), ev],
    'service-account-controller': [rule(['create'], [''], ['serviceaccounts']), ev],
    'service-controller': [
      rule(['get', 'list', 'watch'], [''], ['services']),
      rule(['patch', 'update'], [''], ['services/status']),
      rule(['list', 'watch'], [''], ['nodes']),
      ev,
    ],
    'statefulset-controller': [
      rule(['list', 'watch'], [''], ['pods']),
      rule(['get', 'list', 'watch'], ['apps'], ['statefulsets']),
      rule(['update'], ['apps'], ['statefulsets/status']),
      rule(['update'], ['apps'], ['statefulsets/finalizers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], [''], ['pods']),
      rule(['create', 'delete', 'list', 'patch', 'update', 'watch'], ['apps'], ['controllerrevisions']),
      rule(['create', 'get'], [''], ['persistentvolumeclaims']),
      ev,
    ],
    'ttl-controller': [rule(['list', 'patch', 'update', 'watch'], [''], ['nodes']), ev],
    'ttl-after-finished-controller': [rule(['delete', 'get', 'list', 'watch'], ['batch'], ['jobs']), ev],
    'certificate-controller': [
      rule(['delete', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/approval', 'certificatesigningrequests/status']),
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
      rule(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      ev,
    ],
  };
}

export function controllerRoleNames(): string[] {
  return Object.keys(controllerRoleSpecs()).sort();
}

function controllerRoles(): KObject[] {
  const specs = controllerRoleSpecs();
  return Object.keys(specs).sort().map((n) => role(`system:controller:${n}`, specs[n]));
}

// --- namespaced roles and bindings (upstream NamespaceRoles / NamespaceRoleBindings) ---

function nsRole(namespace: string, name: string, rules: PolicyRule[]): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    metadata: { name, namespace, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } }, rules,
  };
}

function nsBinding(namespace: string, name: string, roleName: string, subjects: Subject[]): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name, namespace, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects,
  };
}

export function namespaceRoles(): KObject[] {
  return [
    nsRole('kube-system', 'extension-apiserver-authentication-reader',
      [rule(R, [''], ['configmaps'], ['extension-apiserver-authentication'])]),
    nsRole('kube-system', 'system::leader-locking-kube-controller-manager',
      [rule(['watch'], [''], ['configmaps']), rule(['get', 'update'], [''], ['configmaps'], ['kube-controller-manager'])]),
    nsRole('kube-system', 'system::leader-locking-kube-scheduler',
      [rule(['watch'], [''], ['configmaps']), rule(['get', 'update'], [''], ['configmaps'], ['kube-scheduler'])]),
    nsRole('kube-system', 'system:controller:bootstrap-signer', [rule(R, [''], ['secrets'])]),
    nsRole('kube-system', 'system:controller:token-cleaner', [rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']), events()]),
    nsRole('kube-public', 'system:controller:bootstrap-signer',
      [rule(R, [''], ['configmaps']), rule(['update'], [''], ['configmaps'], ['cluster-info']), events()]),
  ];
}

export function namespaceRoleBindings(): KObject[] {
  return [
    nsBinding('kube-system', 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader',
      [user('system:kube-controller-manager'), user('system:kube-scheduler')]),
    nsBinding('kube-system', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager',
      [user('system:kube-controller-manager'), sa('kube-system', 'kube-controller-manager')]),
    nsBinding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler',
      [user('system:kube-scheduler'), sa('kube-system', 'kube-scheduler')]),
    nsBinding('kube-system', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [sa('kube-system', 'bootstrap-signer')]),
    nsBinding('kube-system', 'system:controller:token-cleaner', 'system:controller:token-cleaner', [sa('kube-system', 'token-cleaner')]),
    nsBinding('kube-public', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [sa('kube-system', 'bootstrap-signer')]),
  ];
}
