import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, secretDataError, normalizeSecret, cronScheduleError } from './index.js';
import { applyDefaults } from '../defaults/index.js';
import { fieldErrorText } from '../../machinery/errors.js';
import type { KObject } from '../types.js';

const clone = <T>(x: T): T => structuredClone(x);
/** defaulted object, as the server validates it */
function dflt(group: string, resource: string, o: KObject): KObject { applyDefaults(group, resource, o); return o; }
function texts(group: string, resource: string, o: KObject, old?: KObject): string[] {
  return validate(group, resource, o, old).map(fieldErrorText);
}
/** expect every wanted "path: message-prefix" to appear */
function expectErr(got: string[], want: string) {
  assert.ok(got.some((t) => t.startsWith(want)), `expected an error starting with\n  ${want}\ngot:\n  ${got.join('\n  ')}`);
}

const pod = (): KObject => dflt('', 'pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', emptyDir: {} }] } });

test('pod: good object passes; bad cases give upstream paths and messages', () => {
  assert.deepEqual(texts('', 'pods', pod()), []);
  const cases: [(p: any) => void, string][] = [
    [(p) => { p.spec.containers = []; }, 'spec.containers: Required value'],
    [(p) => { p.spec.containers[0].name = 'Web_1'; }, 'spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label'],
    [(p) => { p.spec.containers.push({ ...p.spec.containers[0] }); }, 'spec.containers[1].name: Duplicate value: "web"'],
    [(p) => { delete p.spec.containers[0].image; }, 'spec.containers[0].image: Required value'],
    [(p) => { p.spec.containers[0].ports[0].containerPort = 70000; }, 'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    [(p) => { p.spec.containers[0].ports[0].protocol = 'HTTP'; }, 'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    [(p) => { p.spec.restartPolicy = 'Sometimes'; }, 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    [(p) => { p.spec.dnsPolicy = 'X'; }, 'spec.dnsPolicy: Unsupported value: "X": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    [(p) => { p.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }; }, 'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    [(p) => { p.spec.containers[0].resources = { limits: { memory: '1Gb' } }; }, 'spec.containers[0].resources.limits[memory]: Invalid value: "1Gb": quantities must match the regular expression'],
    [(p) => { p.spec.volumes.push({ name: 'data', emptyDir: {} }); }, 'spec.volumes[1].name: Duplicate value: "data"'],
    [(p) => { p.spec.containers[0].volumeMounts[0].name = 'nope'; }, 'spec.containers[0].volumeMounts[0].name: Not found: "nope"'],
    [(p) => { p.spec.volumes[0] = { name: 'data', emptyDir: {}, hostPath: { path: '/x' } }; }, 'spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type'],
    [(p) => { p.spec.containers[0].livenessProbe = { periodSeconds: 1, successThreshold: 1, timeoutSeconds: 1, failureThreshold: 1 }; }, 'spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    [(p) => { p.spec.containers[0].env = [{ name: '1BAD' }]; }, 'spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name'],
    [(p) => { p.metadata.name = 'Bad'; }, 'metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain'],
    [(p) => { delete p.metadata.namespace; }, 'metadata.namespace: Required value'],
  ];
  for (const [mutate, want] of cases) {
    const p = pod();
    mutate(p);
    expectErr(texts('', 'pods', p), want);
  }
});

test('pod update: only images, deadlines and added tolerations may change', () => {
  const old = pod();
  old.metadata!.resourceVersion = '1';
  const imageOnly = clone(old);
  (imageOnly.spec as any).containers[0].image = 'nginx:2';
  (imageOnly.spec as any).tolerations = [{ key: 'a', operator: 'Exists' }];
  assert.deepEqual(texts('', 'pods', imageOnly, old), []);
  const bad = clone(old);
  (bad.spec as any).containers[0].ports[0].containerPort = 81;
  const got = texts('', 'pods', bad, old);
  expectErr(got, 'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`');
  const more = clone(old);
  (more.spec as any).containers.push({ name: 'b', image: 'x' });
  expectErr(texts('', 'pods', more, old), 'spec.containers: Forbidden: pod updates may not add or remove containers');
  const renamed = clone(old);
  renamed.metadata!.name = 'other';
  expectErr(texts('', 'pods', renamed, old), 'metadata.name: Invalid value: "other": field is immutable');
});

const deployment = (): KObject => dflt('apps', 'deployments', { metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } });

test('deployment and replicaset', () => {
  assert.deepEqual(texts('apps', 'deployments', deployment()), []);
  const cases: [(d: any) => void, string][] = [
    [(d) => { delete d.spec.selector; }, 'spec.selector: Required value'],
    [(d) => { d.spec.selector = {}; }, 'spec.selector: Invalid value: &v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    [(d) => { d.spec.template.metadata.labels = { app: 'other' }; }, 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'],
    [(d) => { d.spec.replicas = -1; }, 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    [(d) => { d.spec.strategy.type = 'Blue'; }, 'spec.strategy.type: Unsupported value: "Blue": supported values: "Recreate", "RollingUpdate"'],
    [(d) => { d.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 }; }, 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    [(d) => { d.spec.strategy.rollingUpdate.maxSurge = '150%'; }, 'spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'],
    [(d) => { d.spec.template.spec.restartPolicy = 'Never'; }, 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    [(d) => { d.spec.template.spec.containers[0].image = ''; }, 'spec.template.spec.containers[0].image: Required value'],
    [(d) => { d.spec.selector.matchExpressions = [{ key: 'x', operator: 'In' }]; }, 'spec.selector.matchExpressions[0].values: Required value'],
  ];
  for (const [mutate, want] of cases) {
    const d = deployment();
    mutate(d);
    expectErr(texts('apps', 'deployments', d), want);
  }
  const old = deployment();
  old.metadata!.resourceVersion = '3';
  const changed = clone(old);
  (changed.spec as any).selector = { matchLabels: { app: 'web', tier: 'x' } };
  (changed.spec as any).template.metadata.labels.tier = 'x';
  expectErr(texts('apps', 'deployments', changed, old), 'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable');
  const rs = dflt('apps', 'replicasets', { metadata: { name: 'rs', namespace: 'd' }, spec: clone((deployment().spec as any)) });
  delete (rs.spec as any).strategy;
  assert.deepEqual(texts('apps', 'replicasets', rs).filter((t) => !t.includes('strategy') && !t.includes('progressDeadline')), []);
});

test('statefulset and daemonset', () => {
  const sts = dflt('apps', 'statefulsets', { metadata: { name: 'db', namespace: 'd' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres' }] } } } });
  assert.deepEqual(texts('apps', 'statefulsets', sts), []);
  const old = clone(sts); old.metadata!.resourceVersion = '1';
  const upd = clone(old); (upd.spec as any).serviceName = 'other';
  expectErr(texts('apps', 'statefulsets', upd, old), "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy'");
  const scaled = clone(old); (scaled.spec as any).replicas = 3;
  assert.deepEqual(texts('apps', 'statefulsets', scaled, old), []);
  const ds = dflt('apps', 'daemonsets', { metadata: { name: 'agent', namespace: 'd' }, spec: { selector: { matchLabels: { app: 'a' } },
    template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } } });
  assert.deepEqual(texts('apps', 'daemonsets', ds), []);
  (ds.spec as any).updateStrategy.rollingUpdate.maxUnavailable = 0;
  expectErr(texts('apps', 'daemonsets', ds), 'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0');
});

test('job and cronjob', () => {
  const job = dflt('batch', 'jobs', { metadata: { name: 'pi', namespace: 'd', uid: 'u1' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } });
  assert.deepEqual(texts('batch', 'jobs', job), []);
  const always = clone(job); (always.spec as any).template.spec.restartPolicy = 'Always';
  expectErr(texts('batch', 'jobs', always), 'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
  const neg = clone(job); (neg.spec as any).parallelism = -1;
  expectErr(texts('batch', 'jobs', neg), 'spec.parallelism: Invalid value: -1: must be greater than or equal to 0');
  const forged = clone(job); (forged.spec as any).selector.matchLabels['batch.kubernetes.io/controller-uid'] = 'other';
  expectErr(texts('batch', 'jobs', forged), 'spec.selector: Invalid value: &v1.LabelSelector');
  const old = clone(job); old.metadata!.resourceVersion = '1';
  const upd = clone(old); (upd.spec as any).template.spec.containers[0].image = 'python';
  expectErr(texts('batch', 'jobs', upd, old), 'spec.template: Invalid value');

  const cj = dflt('batch', 'cronjobs', { metadata: { name: 'tick', namespace: 'd' }, spec: { schedule: '*/5 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'a', image: 'busybox' }] } } } } } });
  assert.deepEqual(texts('batch', 'cronjobs', cj), []);
  const cases: [(c: any) => void, string][] = [
    [(c) => { c.spec.schedule = ''; }, 'spec.schedule: Required value'],
    [(c) => { c.spec.schedule = '* * * *'; }, 'spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'],
    [(c) => { c.spec.schedule = '@sometimes'; }, 'spec.schedule: Invalid value: "@sometimes": unrecognized descriptor: @sometimes'],
    [(c) => { c.spec.schedule = '0 25 * * *'; }, 'spec.schedule: Invalid value: "0 25 * * *": end of range (25) above maximum (23): 25'],
    [(c) => { c.spec.timeZone = 'Mars/Olympus'; }, 'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    [(c) => { c.spec.concurrencyPolicy = 'Sometimes'; }, 'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'],
    [(c) => { c.metadata.name = 'x'.repeat(53); }, 'metadata.name: Invalid value: "xxxxxxxx'],
  ];
  for (const [mutate, want] of cases) { const c = clone(cj); mutate(c); expectErr(texts('batch', 'cronjobs', c), want); }
  for (const ok of ['@hourly', '0 0 * * MON-FRI', '15 3 1 jan,jul *', '*/10 0-6 ? * *']) assert.equal(cronScheduleError(ok), undefined, ok);
});

const service = (): KObject => dflt('', 'services', { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });

test('service', () => {
  assert.deepEqual(texts('', 'services', service()), []);
  const cases: [(s: any) => void, string][] = [
    [(s) => { s.spec.ports = []; }, 'spec.ports: Required value'],
    [(s) => { s.spec.ports.push({ port: 443, protocol: 'TCP', targetPort: 443 }); }, 'spec.ports[0].name: Required value'],
    [(s) => { s.spec.ports = [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'a', port: 81, protocol: 'TCP', targetPort: 81 }]; }, 'spec.ports[1].name: Duplicate value: "a"'],
    [(s) => { s.spec.ports[0].port = 0; }, 'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
    [(s) => { s.spec.type = 'Magic'; }, 'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    [(s) => { s.spec.ports[0].nodePort = 30080; }, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    [(s) => { s.spec.type = 'NodePort'; s.spec.ports[0].nodePort = 80; }, 'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767'],
    [(s) => { s.metadata.name = '1web'; }, 'metadata.name: Invalid value: "1web": a DNS-1035 label'],
    [(s) => { s.spec.selector = { 'bad key!': 'x' }; }, 'spec.selector: Invalid value: "bad key!"'],
  ];
  for (const [mutate, want] of cases) { const s = service(); mutate(s); expectErr(texts('', 'services', s), want); }
  const headless = dflt('', 'services', { metadata: { name: 'h', namespace: 'd' }, spec: { clusterIP: 'None', selector: { a: 'b' } } });
  assert.deepEqual(texts('', 'services', headless), []);
  const ext = dflt('', 'services', { metadata: { name: 'e', namespace: 'd' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.deepEqual(texts('', 'services', ext), []);
  const old = service(); old.metadata!.resourceVersion = '1'; (old.spec as any).clusterIP = '10.0.0.5';
  const upd = clone(old); (upd.spec as any).clusterIP = '10.0.0.6';
  expectErr(texts('', 'services', upd, old), 'spec.clusterIPs[0]: Invalid value: []string{"10.0.0.6"}: may not change once set');
});

test('configmap and secret', () => {
  const cm = { metadata: { name: 'c', namespace: 'd' }, data: { 'app.properties': 'x' } };
  assert.deepEqual(texts('', 'configmaps', cm), []);
  expectErr(texts('', 'configmaps', { ...cm, data: { 'a/b': 'x' } }), 'data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters');
  expectErr(texts('', 'configmaps', { ...cm, data: { big: 'x'.repeat(1024 * 1024 + 1) } }), ': Too long: may not be more than 1048576 bytes');
  const imm = { ...cm, immutable: true, metadata: { ...cm.metadata, resourceVersion: '1' } };
  expectErr(texts('', 'configmaps', { ...imm, data: { 'app.properties': 'y' } }, imm), 'data: Forbidden: field is immutable when `immutable` is set');

  const sec = dflt('', 'secrets', { metadata: { name: 's', namespace: 'd' }, data: { password: 'cGFzcw==' } });
  assert.equal(sec.type, 'Opaque');
  assert.deepEqual(texts('', 'secrets', sec), []);
  const tls = dflt('', 'secrets', { metadata: { name: 't', namespace: 'd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } });
  assert.deepEqual(texts('', 'secrets', tls), ['data[tls.key]: Required value']);
  const dcj = { metadata: { name: 't', namespace: 'd' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{bad').toString('base64') } };
  expectErr(texts('', 'secrets', dcj), 'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"');
  expectErr(texts('', 'secrets', { metadata: { name: 't', namespace: 'd' }, type: 'kubernetes.io/service-account-token' }), 'metadata.annotations[kubernetes.io/service-account.name]: Required value');
  const old = { ...sec, metadata: { ...sec.metadata!, resourceVersion: '1' } };
  expectErr(texts('', 'secrets', { ...old, type: 'kubernetes.io/tls' }, old), 'type: Invalid value: "kubernetes.io/tls": field is immutable');

  assert.equal(secretDataError({ data: { a: 'cGFzcw==' } }), undefined);
  assert.equal(secretDataError({ data: { a: 'not base64!' } }), 'illegal base64 data at input byte 3');
  assert.equal(secretDataError({ data: { a: 'abc' } }), 'illegal base64 data at input byte 0');
  const withString: any = { data: { a: 'eA==' }, stringData: { b: 'hello' } };
  normalizeSecret(withString);
  assert.deepEqual(withString, { data: { a: 'eA==', b: 'aGVsbG8=' } });
});

test('namespace, rbac', () => {
  const ns = dflt('', 'namespaces', { metadata: { name: 'team-a' } });
  assert.deepEqual(texts('', 'namespaces', ns), []);
  expectErr(texts('', 'namespaces', { metadata: { name: 'team.a' } }), 'metadata.name: Invalid value: "team.a": must not contain dots');
  expectErr(texts('', 'namespaces', { metadata: { name: 'a' }, spec: { finalizers: ['foo'] } }), 'spec.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified');

  const role = { metadata: { name: 'system:reader', namespace: 'd' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
  assert.deepEqual(texts('rbac.authorization.k8s.io', 'roles', role), []);
  expectErr(texts('rbac.authorization.k8s.io', 'roles', { ...role, rules: [{ apiGroups: [''], resources: ['pods'] }] }), 'rules[0].verbs: Required value: verbs must contain at least one value');
  const rb = dflt('rbac.authorization.k8s.io', 'rolebindings', { metadata: { name: 'rb', namespace: 'd', resourceVersion: '1' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'system:reader' }, subjects: [{ kind: 'User', name: 'alice' }] });
  assert.deepEqual(texts('rbac.authorization.k8s.io', 'rolebindings', rb), []);
  const changed = clone(rb); (changed.roleRef as any).name = 'other';
  expectErr(texts('rbac.authorization.k8s.io', 'rolebindings', changed, rb), 'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef');
  expectErr(texts('rbac.authorization.k8s.io', 'clusterrolebindings', { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'Robot', name: 'r' }] }),
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"');
  expectErr(texts('rbac.authorization.k8s.io', 'clusterrolebindings', { metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }),
    'subjects[0].namespace: Required value');
});

test('other kinds', () => {
  expectErr(texts('policy', 'poddisruptionbudgets', { metadata: { name: 'p', namespace: 'd' }, spec: { minAvailable: 1, maxUnavailable: 1 } }), 'spec: Invalid value');
  expectErr(texts('policy', 'poddisruptionbudgets', { metadata: { name: 'p', namespace: 'd' }, spec: { minAvailable: 1, maxUnavailable: 1 } }).filter((t) => t.includes('cannot be both set')), 'spec: Invalid value');
  const hpa = { metadata: { name: 'h', namespace: 'd' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 2 } };
  expectErr(texts('autoscaling', 'horizontalpodautoscalers', hpa), 'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  expectErr(texts('autoscaling', 'horizontalpodautoscalers', { ...hpa, spec: { ...hpa.spec, minReplicas: 0, maxReplicas: 5 } }), 'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1');
  expectErr(texts('storage.k8s.io', 'storageclasses', { metadata: { name: 's' }, volumeBindingMode: 'Immediate' }), 'provisioner: Required value');
  const sc = { metadata: { name: 's', resourceVersion: '1' }, provisioner: 'x.io/p', parameters: { a: 'b' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' };
  expectErr(texts('storage.k8s.io', 'storageclasses', { ...sc, parameters: { a: 'c' } }, sc), 'parameters: Forbidden: updates to parameters are forbidden.');
  expectErr(texts('', 'persistentvolumes', dflt('', 'persistentvolumes', { metadata: { name: 'pv' }, spec: { accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } })), 'spec.capacity: Required value');
  assert.deepEqual(texts('', 'persistentvolumes', dflt('', 'persistentvolumes', { metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/x' } } })), []);
  expectErr(texts('', 'persistentvolumeclaims', dflt('', 'persistentvolumeclaims', { metadata: { name: 'c', namespace: 'd' }, spec: { accessModes: ['ReadWriteOnce'] } })), 'spec.resources[storage]: Required value');
  expectErr(texts('', 'persistentvolumeclaims', { metadata: { name: 'c', namespace: 'd' }, spec: { resources: { requests: { storage: '1Gi' } } } }), 'spec.accessModes: Required value: at least 1 access mode is required');
  expectErr(texts('scheduling.k8s.io', 'priorityclasses', { metadata: { name: 'high' }, value: 2000000000 }), 'value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  expectErr(texts('node.k8s.io', 'runtimeclasses', { metadata: { name: 'r' }, handler: 'Run.C' }), 'handler: Invalid value: "Run.C"');
  expectErr(texts('certificates.k8s.io', 'certificatesigningrequests', { metadata: { name: 'c' }, spec: { request: Buffer.from('hello').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } }), 'spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST');
  expectErr(texts('coordination.k8s.io', 'leases', { metadata: { name: 'l', namespace: 'd' }, spec: { leaseDurationSeconds: 0 } }), 'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
  expectErr(texts('discovery.k8s.io', 'endpointslices', { metadata: { name: 'e', namespace: 'd' }, addressType: 'IPv4', endpoints: [{ addresses: ['nope'] }] }), 'endpoints[0].addresses[0]: Invalid value: "nope": must be a valid IPv4 address');
  expectErr(texts('discovery.k8s.io', 'endpointslices', { metadata: { name: 'e', namespace: 'd' }, addressType: 'IP' }), 'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"');
  expectErr(texts('networking.k8s.io', 'ingresses', { metadata: { name: 'i', namespace: 'd' }, spec: { rules: [{ host: 'a.com', http: { paths: [{ path: 'x', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }), 'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path');
  expectErr(texts('networking.k8s.io', 'networkpolicies', { metadata: { name: 'n', namespace: 'd' }, spec: { podSelector: {}, policyTypes: ['Sideways'] } }), 'spec.policyTypes[0]: Unsupported value: "Sideways"');
  expectErr(texts('', 'endpoints', { metadata: { name: 'e', namespace: 'd' }, subsets: [{ addresses: [{ ip: 'x' }], ports: [{ port: 80, protocol: 'TCP' }] }] }), 'subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address');
  // a kind with no specific checks still gets metadata validation
  expectErr(texts('', 'serviceaccounts', { metadata: { name: 'Bad', namespace: 'd' } }), 'metadata.name: Invalid value: "Bad"');
  expectErr(texts('', 'nodes', { metadata: { name: 'n', namespace: 'd' } }), 'metadata.namespace: Forbidden: not allowed on this type');
});
