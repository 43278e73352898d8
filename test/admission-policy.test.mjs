// Policy admission end to end against `kumo server`: LimitRange defaults and bounds, ResourceQuota
// rejection with the upstream message and tracked usage, PodSecurity enforce and warn.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let s;

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** a namespace with its default ServiceAccount, so pods are admitted whether or not the ServiceAccount plugin waits for it */
async function namespace(name, labels = {}) {
  await ok(['create', 'namespace', name]);
  for (const [k, v] of Object.entries(labels)) await ok(['label', 'namespace', name, `${k}=${v}`]);
  const r = await s.kubectl(['create', 'serviceaccount', 'default', '-n', name]);
  assert.ok(r.code === 0 || /already exists/i.test(r.stderr), r.stderr);
}

const podYAML = (name, ns, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: c
    image: nginx
${extra}`;

async function until(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); s?.cleanup(); });

test('LimitRange defaults container resources and enforces the max', async () => {
  await namespace('lr');
  await ok(['apply', '-f', '-'], { input: `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: lr}
spec:
  limits:
  - type: Container
    max: {cpu: "1"}
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 100m, memory: 64Mi}
` });
  await ok(['apply', '-f', '-'], { input: podYAML('defaulted', 'lr') });
  const pod = JSON.parse(await ok(['get', 'pod', 'defaulted', '-n', 'lr', '-o', 'json']));
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  assert.match(pod.metadata.annotations['kubernetes.io/limit-ranger'], /^LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c$/);

  const r = await s.kubectl(['apply', '-f', '-'], { input: podYAML('big', 'lr', '    resources: {limits: {cpu: "2"}}\n') });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  assert.equal((await s.kubectl(['get', 'pod', 'big', '-n', 'lr'])).code, 1, 'the rejected pod is not stored');
});

test('ResourceQuota rejects the pod over quota, tracks usage, and frees it on delete', async () => {
  await namespace('q');
  await ok(['create', 'quota', 'q', '--hard=pods=2,configmaps=5', '-n', 'q']);
  await ok(['apply', '-f', '-'], { input: podYAML('p1', 'q') });
  await ok(['apply', '-f', '-'], { input: podYAML('p2', 'q') });
  const r = await s.kubectl(['apply', '-f', '-'], { input: podYAML('p3', 'q') });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);

  const quota = JSON.parse(await ok(['get', 'quota', 'q', '-n', 'q', '-o', 'json']));
  assert.equal(quota.status.used.pods, '2');
  assert.equal(quota.status.hard.pods, '2');
  const described = await ok(['describe', 'quota', 'q', '-n', 'q']);
  assert.match(described, /pods\s+2\s+2/);

  await ok(['delete', 'pod', 'p1', '-n', 'q', '--grace-period=0', '--force']);
  await until(async () => JSON.parse(await ok(['get', 'quota', 'q', '-n', 'q', '-o', 'json'])).status.used.pods === '1');
  await ok(['apply', '-f', '-'], { input: podYAML('p3', 'q') });
});

test('ResourceQuota on compute resources requires requests and limits', async () => {
  await namespace('qc');
  await ok(['create', 'quota', 'compute', '--hard=requests.cpu=1,limits.memory=1Gi', '-n', 'qc']);
  const r = await s.kubectl(['apply', '-f', '-'], { input: podYAML('bare', 'qc') });
  assert.match(r.stderr, /pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c/);
  await ok(['apply', '-f', '-'], { input: podYAML('sized', 'qc', '    resources: {requests: {cpu: 600m}, limits: {memory: 512Mi}}\n') });
  const r2 = await s.kubectl(['apply', '-f', '-'], { input: podYAML('sized2', 'qc', '    resources: {requests: {cpu: 600m}, limits: {memory: 512Mi}}\n') });
  assert.match(r2.stderr, /exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1/);
});

const restrictedPod = (name, ns) => podYAML(name, ns, `    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
`);

test('PodSecurity restricted enforce rejects a privileged pod and admits a compliant one', async () => {
  await namespace('ps', { 'pod-security.kubernetes.io/enforce': 'restricted' });
  const r = await s.kubectl(['apply', '-f', '-'], { input: podYAML('priv', 'ps', '    securityContext: {privileged: true}\n') });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pods "priv" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "c" must set securityContext.capabilities.drop=\["ALL"\]\), privileged \(container "c" must not set securityContext.privileged=true\), runAsNonRoot != true \(pod or container "c" must set securityContext.runAsNonRoot=true\), seccompProfile \(pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"\)\n/);
  await ok(['apply', '-f', '-'], { input: restrictedPod('good', 'ps') });
  // workloads are not refused, only warned
  const d = await s.kubectl(['create', 'deployment', 'web', '--image=nginx', '-n', 'ps']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stderr, /Warning: would violate PodSecurity "restricted:latest"/);
});

test('PodSecurity warn mode admits the pod with a Warning header', async () => {
  await namespace('pw', { 'pod-security.kubernetes.io/warn': 'baseline' });
  const res = await s.request('POST', '/api/v1/namespaces/pw/pods', { body: {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hostnet' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'nginx' }] },
  } });
  assert.equal(res.status, 201, res.text);
  assert.match(String(res.headers.warning), /would violate PodSecurity \\?"baseline:latest\\?": host namespaces \(hostNetwork=true\)/);
  const r = await s.kubectl(['apply', '-f', '-'], { input: podYAML('priv', 'pw', '    securityContext: {privileged: true}\n') });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Warning: would violate PodSecurity "baseline:latest": privileged/);
});
