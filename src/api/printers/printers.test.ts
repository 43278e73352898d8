import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../resources.js';
import { resourceKey, type KObject, type Printer } from '../types.js';
import { defaultPrinter, printerFor, printers } from './index.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;

function p(group: string, resource: string): Printer {
  const pr = printers[resourceKey(group, resource)];
  assert.ok(pr, `printer for ${group}/${resource}`);
  return pr;
}
/** cells keyed by column name, to keep assertions readable */
function row(pr: Printer, obj: KObject): Record<string, unknown> {
  const cells = pr.cells(obj, NOW);
  return Object.fromEntries(pr.columns.map((c, i) => [c.name, cells[i]]));
}
const meta = (extra: Record<string, unknown> = {}) => ({ name: 'x', namespace: 'default', creationTimestamp: ago(10 * MIN), ...extra });

test('every built-in resource except bindings has a printer', () => {
  for (const r of builtinResources) {
    if (r.resource === 'bindings') continue;
    assert.ok(printers[resourceKey(r.group, r.resource)], `missing printer for ${resourceKey(r.group, r.resource)}`);
  }
  assert.equal(printers['/bindings'], undefined);
  assert.equal(printerFor('example.com', 'widgets'), defaultPrinter);
});

test('every printer returns one cell per column for an empty object, and well-formed columns', () => {
  const empty: KObject = { metadata: { name: 'x', creationTimestamp: '2024-05-01T11:00:00Z' } };
  for (const [key, pr] of Object.entries(printers)) {
    const cells = pr.cells(empty, NOW);
    assert.equal(cells.length, pr.columns.length, `${key}: ${cells.length} cells for ${pr.columns.length} columns`);
    assert.ok(cells.every((c) => c !== undefined && c !== null), `${key}: no undefined cells`);
    const named = pr.columns.filter((c) => c.format === 'name');
    assert.ok(named.length >= 1 && named[0].name === 'Name', `${key}: has a Name column of format name`);
    for (const c of pr.columns) {
      assert.ok(c.description.length > 0, `${key}.${c.name}: description`);
      assert.ok(c.priority === 0 || c.priority === 1, `${key}.${c.name}: priority`);
    }
    // cells match declared types
    pr.columns.forEach((c, i) => {
      if (c.type === 'integer') assert.equal(typeof cells[i], 'number', `${key}.${c.name} is a number`);
    });
  }
});

test('printers survive hostile shapes', () => {
  const weird = { metadata: { name: 'x' }, spec: 'str', status: [1, 2], subsets: 'no', data: null } as unknown as KObject;
  for (const [key, pr] of Object.entries(printers)) {
    assert.doesNotThrow(() => pr.cells(weird, NOW), key);
    assert.doesNotThrow(() => pr.cells({}, NOW), key);
  }
});

test('default printer: NAME and CREATED AT (RFC 3339, whole seconds)', () => {
  assert.deepEqual(defaultPrinter.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'r', creationTimestamp: '2024-05-01T11:00:00.5Z' } }, NOW), ['r', '2024-05-01T11:00:00Z']);
  assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'r' } }, NOW), ['r', '0001-01-01T00:00:00Z']);
  for (const k of ['/limitranges', 'rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles']) {
    assert.equal(printers[k], defaultPrinter, k);
  }
});

test('deployments: READY UP-TO-DATE AVAILABLE, wide CONTAINERS IMAGES SELECTOR', () => {
  const pr = p('apps', 'deployments');
  assert.deepEqual(pr.columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
  const d = {
    metadata: meta(),
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'busybox' }] } } },
    status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(pr.cells(d, NOW), ['x', '2/3', 3, 2, '10m', 'web,log', 'nginx:1,busybox', 'app=web']);
  const bad = { ...d, spec: { ...d.spec, selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } } };
  assert.equal(row(pr, bad).Selector, '<invalid>');
});

test('services: ports, cluster IP, external IP by type', () => {
  const pr = p('', 'services');
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => row(pr, { metadata: meta(), spec, status });
  const ports = [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }];
  const r = svc({ type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports, selector: { b: '2', a: '1' } });
  assert.deepEqual(r, { Name: 'x', Type: 'NodePort', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>',
    'Port(s)': '80/TCP,443:30443/TCP', Age: '10m', Selector: 'a=1,b=2' });
  assert.equal(svc({ type: 'LoadBalancer', ports })['External-IP'], '<pending>');
  assert.equal(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }, { ip: '1.2.3.4' }] } })['External-IP'],
    '1.2.3.4,5.6.7.8,lb.example.com');
  assert.equal(svc({ type: 'LoadBalancer', externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } })['External-IP'], '1.2.3.4,9.9.9.9');
  assert.equal(svc({ type: 'ClusterIP', externalIPs: ['1.1.1.1', '2.2.2.2'] })['External-IP'], '1.1.1.1,2.2.2.2');
  assert.equal(svc({ type: 'ExternalName', externalName: 'db.example.com' })['External-IP'], 'db.example.com');
  assert.equal(svc({})['External-IP'], '<unknown>');
  const headless = svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
  assert.equal(headless['Cluster-IP'], 'None');
  assert.equal(headless['Port(s)'], '<none>');
  assert.equal(headless.Selector, '<none>');
});

test('nodes: status, roles, wide addresses and system info', () => {
  const pr = p('', 'nodes');
  const node = {
    metadata: meta({ labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '', 'kubernetes.io/role': 'master', 'node-role.kubernetes.io/worker': 'true' } }),
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.28.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
    },
  };
  assert.deepEqual(pr.cells(node, NOW), ['x', 'Ready,SchedulingDisabled', 'control-plane,master,worker', '10m', 'v1.28.0',
    '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0']);
  const notReady = row(pr, { metadata: meta(), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  assert.equal(notReady.Status, 'NotReady');
  assert.equal(notReady.Roles, '<none>');
  assert.equal(notReady['OS-Image'], '<unknown>');
  assert.equal(row(pr, { metadata: meta() }).Status, 'Unknown');
});

test('jobs: status, completions, duration', () => {
  const pr = p('batch', 'jobs');
  assert.deepEqual(pr.columns.map((c) => c.name), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>, m: Record<string, unknown> = {}) =>
    row(pr, { metadata: meta(m), spec, status });
  const done = job({ completions: 3, parallelism: 2 }, {
    succeeded: 3, startTime: ago(10 * MIN), completionTime: ago(10 * MIN - 45_000),
    conditions: [{ type: 'Complete', status: 'True' }],
  });
  assert.equal(done.Status, 'Complete');
  assert.equal(done.Completions, '3/3');
  assert.equal(done.Duration, '45s');
  const runningJob = job({ parallelism: 3 }, { succeeded: 1, startTime: ago(3 * HOUR + 5 * MIN) });
  assert.equal(runningJob.Status, 'Running');
  assert.equal(runningJob.Completions, '1/1 of 3');
  assert.equal(runningJob.Duration, '3h5m');
  const fresh = job({ parallelism: 1 }, {});
  assert.equal(fresh.Completions, '0/1');
  assert.equal(fresh.Duration, '');
  assert.equal(job({}, { conditions: [{ type: 'Failed', status: 'True' }] }).Status, 'Failed');
  assert.equal(job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }).Status, 'Suspended');
  assert.equal(job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] }).Status, 'FailureTarget');
  assert.equal(job({}, { conditions: [{ type: 'Complete', status: 'False' }] }).Status, 'Running');
  assert.equal(job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago(0) }).Status, 'Terminating');
  assert.equal(job({ selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } } }, {}).Selector, 'batch.kubernetes.io/controller-uid=u1');
});

test('cronjobs: schedule, timezone, suspend, active, last schedule', () => {
  const pr = p('batch', 'cronjobs');
  const cj = {
    metadata: meta(),
    spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } },
    status: { active: [{ name: 'j1' }, { name: 'j2' }], lastScheduleTime: ago(2 * MIN + 30_000) },
  };
  assert.deepEqual(pr.cells(cj, NOW), ['x', '*/5 * * * *', '<none>', 'False', 2, '2m30s', '10m', 'c', 'busybox', '<none>']);
  const r = row(pr, { metadata: meta(), spec: { schedule: '@daily', timeZone: 'Etc/UTC' } });
  assert.equal(r.Timezone, 'Etc/UTC');
  assert.equal(r.Suspend, '<unset>');
  assert.equal(r['Last Schedule'], '<none>');
  assert.equal(r.Active, 0);
});

test('statefulsets, replicasets, replication controllers, daemonsets', () => {
  const tmpl = { spec: { containers: [{ name: 'a', image: 'img' }], nodeSelector: { 'kubernetes.io/os': 'linux' } } };
  assert.deepEqual(p('apps', 'statefulsets').cells({ metadata: meta(), spec: { replicas: 3, template: tmpl }, status: { readyReplicas: 1 } }, NOW),
    ['x', '1/3', '10m', 'a', 'img']);
  assert.deepEqual(p('apps', 'replicasets').cells({ metadata: meta(), spec: { replicas: 2, template: tmpl, selector: { matchLabels: { app: 'a' } } },
    status: { replicas: 2, readyReplicas: 1 } }, NOW), ['x', 2, 2, 1, '10m', 'a', 'img', 'app=a']);
  assert.deepEqual(p('', 'replicationcontrollers').cells({ metadata: meta(), spec: { replicas: 1, template: tmpl, selector: { app: 'a' } },
    status: { replicas: 1 } }, NOW), ['x', 1, 1, 0, '10m', 'a', 'img', 'app=a']);
  assert.deepEqual(p('apps', 'daemonsets').cells({ metadata: meta(), spec: { template: tmpl, selector: { matchLabels: { app: 'a' } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 } }, NOW),
  ['x', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '10m', 'a', 'img', 'app=a']);
});

test('namespaces, configmaps, secrets, service accounts', () => {
  assert.deepEqual(p('', 'namespaces').cells({ metadata: meta(), status: { phase: 'Terminating' } }, NOW), ['x', 'Terminating', '10m']);
  assert.deepEqual(p('', 'configmaps').cells({ metadata: meta(), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, NOW), ['x', 3, '10m']);
  assert.deepEqual(p('', 'secrets').cells({ metadata: meta(), type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, NOW),
    ['x', 'kubernetes.io/tls', 2, '10m']);
  assert.deepEqual(p('', 'serviceaccounts').cells({ metadata: meta(), secrets: [{ name: 's' }] }, NOW), ['x', 1, '10m']);
  assert.deepEqual(p('', 'serviceaccounts').cells({ metadata: meta() }, NOW), ['x', 0, '10m']);
});

test('events: core/v1 and events.k8s.io/v1 shapes', () => {
  const pr = p('', 'events');
  assert.equal(printers['events.k8s.io/events'], pr);
  assert.deepEqual(pr.columns.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  const core = {
    metadata: meta({ name: 'web.17a' }),
    involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', message: ' Successfully pulled image \n', type: 'Normal',
    source: { component: 'kubelet', host: 'n1' }, firstTimestamp: ago(HOUR), lastTimestamp: ago(5 * MIN), count: 4,
  };
  assert.deepEqual(pr.cells(core, NOW),
    ['5m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{web}', 'kubelet, n1', 'Successfully pulled image', '60m', 4, 'web.17a']);
  const v1 = {
    metadata: meta({ name: 'e2' }), regarding: { kind: 'Node', name: 'n1' }, note: 'Starting kubelet.', type: 'Normal', reason: 'Starting',
    reportingController: 'kubelet', reportingInstance: 'n1', eventTime: '2024-05-01T11:59:30.000000Z',
  };
  assert.deepEqual(pr.cells(v1, NOW), ['30s', 'Normal', 'Starting', 'node/n1', '', 'kubelet, n1', 'Starting kubelet.', '30s', 1, 'e2']);
  const series = { ...v1, series: { count: 9, lastObservedTime: '2024-05-01T11:59:55.000000Z' } };
  const r = row(pr, series);
  assert.equal(r['Last Seen'], '5s');
  assert.equal(r.Count, 9);
  const bare = row(pr, { metadata: meta(), involvedObject: { kind: 'Namespace' } });
  assert.equal(bare['Last Seen'], '<unknown>');
  assert.equal(bare.Object, 'namespace');
});

test('persistent volumes and claims', () => {
  const pv = {
    metadata: meta({ name: 'pv1' }),
    spec: { capacity: { storage: '1024Mi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: 'ns', name: 'data' }, storageClassName: 'standard', volumeMode: 'Filesystem' },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(p('', 'persistentvolumes').cells(pv, NOW),
    ['pv1', '1Gi', 'RWO,RWX', 'Retain', 'Bound', 'ns/data', 'standard', '<unset>', '', '10m', 'Filesystem']);
  const deleting = row(p('', 'persistentvolumes'), { ...pv, metadata: meta({ deletionTimestamp: ago(0),
    annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } }) });
  assert.equal(deleting.Status, 'Terminating');
  assert.equal(deleting.StorageClass, 'legacy');
  assert.equal(row(p('', 'persistentvolumes'), { metadata: meta() }).Capacity, '0');

  const pvc = p('', 'persistentvolumeclaims');
  const pending = { metadata: meta(), spec: { resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' }, status: { phase: 'Pending' } };
  assert.deepEqual(pvc.cells(pending, NOW), ['x', 'Pending', '', '', '', 'fast', '<unset>', '10m', '<unset>']);
  const bound = { metadata: meta(), spec: { volumeName: 'pv1', volumeMode: 'Block', volumeAttributesClassName: 'gold' },
    status: { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOncePod'] } };
  assert.deepEqual(pvc.cells(bound, NOW), ['x', 'Bound', 'pv1', '5Gi', 'RWOP', '', 'gold', '10m', 'Block']);
});

test('resource quotas split requests and limits, sorted, canonical quantities', () => {
  const rq = { metadata: meta(), status: {
    hard: { 'limits.memory': '2Gi', pods: '10', 'requests.cpu': '1', 'limits.cpu': '2000m' },
    used: { 'limits.memory': '512Mi', pods: '3', 'requests.cpu': '500m' },
  } };
  assert.deepEqual(p('', 'resourcequotas').cells(rq, NOW),
    ['x', 'pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 0/2, limits.memory: 512Mi/2Gi', '10m']);
});

test('endpoints and endpoint slices', () => {
  const ep = { metadata: meta(), subsets: [
    { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
  ] };
  assert.equal(row(p('', 'endpoints'), ep).Endpoints, '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  assert.equal(row(p('', 'endpoints'), { metadata: meta() }).Endpoints, '<none>');
  assert.equal(row(p('', 'endpoints'), { metadata: meta(), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }] }).Endpoints, '[fd00::1]:53');
  assert.equal(row(p('', 'endpoints'), { metadata: meta(), subsets: [{ addresses: [{ ip: '10.0.0.9' }] }] }).Endpoints, '10.0.0.9');
  const es = { metadata: meta(), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'dns' }, {}, { port: 9 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] };
  assert.deepEqual(p('discovery.k8s.io', 'endpointslices').cells(es, NOW), ['x', 'IPv4', '80,dns,* + 1 more...', '10.0.0.1,10.0.0.2', '10m']);
  assert.deepEqual(p('discovery.k8s.io', 'endpointslices').cells({ metadata: meta() }, NOW), ['x', '', '<unset>', '<unset>', '10m']);
});

test('rbac bindings show the role and, wide, subjects', () => {
  const rb = { metadata: meta(), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [
    { kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' },
    { kind: 'ServiceAccount', name: 'default', namespace: 'ci' }, { kind: 'Robot', name: 'r2' },
  ] };
  for (const res of ['rolebindings', 'clusterrolebindings']) {
    const pr = p('rbac.authorization.k8s.io', res);
    assert.deepEqual(pr.columns.map((c) => [c.name, c.priority]),
      [['Name', 0], ['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1]]);
    assert.deepEqual(pr.cells(rb, NOW), ['x', 'ClusterRole/view', '10m', 'alice, bob', 'devs', 'ci/default']);
  }
});

test('hpa: targets for v2 metrics and v1 cpu percentage', () => {
  const pr = p('autoscaling', 'horizontalpodautoscalers');
  const v2 = {
    metadata: meta(),
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10, metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1024Mi' } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } } },
    ] },
    status: { currentReplicas: 3, currentMetrics: [
      { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35, averageValue: '70m' } } },
    ] },
  };
  assert.deepEqual(pr.cells(v2, NOW), ['x', 'Deployment/web', 'cpu: 35%/80%, memory: <unknown>/1Gi + 1 more...', '2', 10, 3, '10m']);
  const v1 = { metadata: meta(), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
    status: { currentReplicas: 1 } };
  assert.deepEqual(pr.cells(v1, NOW), ['x', 'Deployment/web', 'cpu: <unknown>/50%', '<unset>', 5, 1, '10m']);
  const ext = { metadata: meta(), spec: { maxReplicas: 1, metrics: [
    { type: 'External', external: { metric: { name: 'q' }, target: { type: 'Value', value: '10' } } },
    { type: 'Object', object: { target: { type: 'AverageValue', averageValue: '2' } } },
  ] }, status: { currentMetrics: [{ type: 'External', external: { current: { value: '4' } } }] } };
  assert.equal(row(pr, ext).Targets, '4/10, <unknown>/2 (avg)');
  assert.equal(row(pr, { metadata: meta(), spec: { metrics: [{ type: 'Weird' }] } }).Targets, '<unknown type>');
  assert.equal(row(pr, { metadata: meta() }).Targets, '<none>');
});

test('pdb, ingress, ingress class, network policy', () => {
  assert.deepEqual(p('policy', 'poddisruptionbudgets').cells({ metadata: meta(), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }, NOW),
    ['x', '50%', 'N/A', 1, '10m']);
  assert.deepEqual(p('policy', 'poddisruptionbudgets').cells({ metadata: meta(), spec: { maxUnavailable: 1 } }, NOW), ['x', 'N/A', '1', 0, '10m']);
  const ing = { metadata: meta(), spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.com'] }],
    rules: [{ host: 'a.com' }, {}, { host: 'b.com' }, { host: 'c.com' }, { host: 'd.com' }] },
  status: { loadBalancer: { ingress: [{ ip: '10.1.1.1' }] } } };
  assert.deepEqual(p('networking.k8s.io', 'ingresses').cells(ing, NOW), ['x', 'nginx', 'a.com,b.com,c.com + 2 more...', '10.1.1.1', '80, 443', '10m']);
  assert.deepEqual(p('networking.k8s.io', 'ingresses').cells({ metadata: meta() }, NOW), ['x', '<none>', '*', '', '80', '10m']);
  assert.deepEqual(p('networking.k8s.io', 'ingressclasses').cells({ metadata: meta(), spec: { controller: 'k8s.io/ingress-nginx',
    parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }, NOW),
  ['x', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '10m']);
  assert.deepEqual(p('networking.k8s.io', 'networkpolicies').cells({ metadata: meta(), spec: { podSelector: { matchLabels: { role: 'db' } } } }, NOW),
    ['x', 'role=db', '10m']);
  assert.deepEqual(p('networking.k8s.io', 'networkpolicies').cells({ metadata: meta(), spec: { podSelector: {} } }, NOW), ['x', '<none>', '10m']);
});

test('storage kinds', () => {
  const sc = { metadata: meta({ name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'rancher.io/local-path' };
  assert.deepEqual(p('storage.k8s.io', 'storageclasses').cells(sc, NOW), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', false, '10m']);
  assert.deepEqual(p('storage.k8s.io', 'storageclasses').cells({ metadata: meta(), provisioner: 'p', reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true }, NOW), ['x', 'p', 'Retain', 'WaitForFirstConsumer', true, '10m']);
  assert.deepEqual(p('storage.k8s.io', 'csidrivers').cells({ metadata: meta(), spec: { volumeLifecycleModes: ['Persistent', 'Ephemeral'],
    tokenRequests: [{ audience: 'a' }, { audience: 'b' }] } }, NOW), ['x', true, false, false, 'a,b', false, 'Persistent,Ephemeral', '10m']);
  assert.deepEqual(p('storage.k8s.io', 'csidrivers').cells({ metadata: meta(), spec: { attachRequired: false } }, NOW),
    ['x', false, false, false, '<unset>', false, '<none>', '10m']);
  assert.deepEqual(p('storage.k8s.io', 'csinodes').cells({ metadata: meta(), spec: { drivers: [{ name: 'd' }] } }, NOW), ['x', 1, '10m']);
  assert.deepEqual(p('storage.k8s.io', 'volumeattachments').cells({ metadata: meta(), spec: { attacher: 'csi.x', nodeName: 'n1',
    source: { persistentVolumeName: 'pv1' } }, status: { attached: true } }, NOW), ['x', 'csi.x', 'pv1', 'n1', true, '10m']);
});

test('priority classes, runtime classes, leases, controller revisions, pod templates', () => {
  assert.deepEqual(p('scheduling.k8s.io', 'priorityclasses').cells({ metadata: meta(), value: 2000001000, globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority' }, NOW), ['x', 2000001000, false, '10m', 'PreemptLowerPriority']);
  assert.deepEqual(p('node.k8s.io', 'runtimeclasses').cells({ metadata: meta(), handler: 'runc' }, NOW), ['x', 'runc', '10m']);
  assert.deepEqual(p('coordination.k8s.io', 'leases').cells({ metadata: meta(), spec: { holderIdentity: 'node-1' } }, NOW), ['x', 'node-1', '10m']);
  const cr = { metadata: meta({ ownerReferences: [
    { apiVersion: 'v1', kind: 'Pod', name: 'other', uid: '1' },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: '2', controller: true },
  ] }), revision: 3 };
  assert.deepEqual(p('apps', 'controllerrevisions').cells(cr, NOW), ['x', 'daemonset.apps/fluentd', 3, '10m']);
  assert.deepEqual(p('apps', 'controllerrevisions').cells({ metadata: meta() }, NOW), ['x', '<none>', 0, '10m']);
  assert.deepEqual(p('', 'podtemplates').cells({ metadata: meta(), template: { metadata: { labels: { app: 'a' } },
    spec: { containers: [{ name: 'c', image: 'i' }] } } }, NOW), ['x', 'c', 'i', 'app=a']);
});

test('certificate signing requests', () => {
  const pr = p('certificates.k8s.io', 'certificatesigningrequests');
  assert.deepEqual(pr.columns.map((c) => c.name), ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']);
  const csr = { metadata: meta(), spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 86400 },
    status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'LS0t' } };
  assert.deepEqual(pr.cells(csr, NOW), ['x', '10m', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved,Issued']);
  assert.equal(row(pr, { metadata: meta(), status: { conditions: [{ type: 'Approved' }, { type: 'Denied' }, { type: 'Failed' }] } }).Condition, 'Denied,Failed');
  const bare = row(pr, { metadata: meta() });
  assert.equal(bare.Condition, 'Pending');
  assert.equal(bare.SignerName, '<none>');
  assert.equal(bare.RequestedDuration, '<none>');
});

test('fields of the wrong JSON type read as missing', () => {
  const odd = {
    metadata: { name: 'x', labels: 'a=b', annotations: 7, ownerReferences: 'me' },
    spec: { volumeLifecycleModes: 'Persistent', selector: 'app=x', ports: { port: 80 }, containers: {}, capacity: [] },
    status: { hard: 'cpu', used: [], conditions: {}, addresses: 'n1' },
  } as unknown as KObject;
  for (const [key, pr] of Object.entries(printers)) {
    const cells = pr.cells(odd, NOW);
    assert.equal(cells.length, pr.columns.length, key);
  }
  assert.equal(row(p('storage.k8s.io', 'csidrivers'), odd).Modes, '<none>');
  assert.equal(row(p('', 'resourcequotas'), odd).Request, '');
  assert.equal(row(p('apps', 'controllerrevisions'), odd).Controller, '<none>');
  assert.equal(row(p('', 'nodes'), odd).Roles, '<none>');
});
