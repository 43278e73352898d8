// The kubectl quick start, end to end against a real `kumo server`, with more than one
// kubectl release.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { startServer, kubectlBinary } from './harness.mjs';

let s;
const tmp = mkdtempSync(join(tmpdir(), 'kumo-kubectl-'));
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); s?.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

async function k(argv, opts) {
  const r = await s.kubectl(argv, opts);
  return r;
}
async function ok(argv, opts) {
  const r = await k(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const APP = (replicas, image, color, envValue) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: demo
data:
  color: ${color}
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
  namespace: demo
stringData:
  password: s3cret
---
apiVersion: v1
kind: Service
metadata:
  name: app
  namespace: demo
spec:
  selector:
    app: app
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: demo
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      containers:
      - name: app
        image: ${image}
        ports:
        - containerPort: 8080
        env:
        - name: A
          value: "${envValue}"
`;

test('version, api-resources and the system namespaces', async () => {
  const v = await ok(['version', '-o', 'json']);
  const info = JSON.parse(v);
  assert.match(info.serverVersion.gitVersion, /^v1\.\d+\.\d+/);
  const res = await ok(['api-resources']);
  for (const line of ['deployments', 'deploy', 'apps/v1', 'namespaces', 'leases', 'endpointslices', 'horizontalpodautoscalers']) {
    assert.ok(res.includes(line), `api-resources lacks ${line}`);
  }
  const ns = await ok(['get', 'ns', '-o', 'name']);
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(ns.includes(`namespace/${n}`));
});

test('create, scale, label, annotate a deployment (kubectl 1.33 sends protobuf bodies)', async () => {
  await ok(['create', 'ns', 'demo'], { minor: 33 });
  await ok(['-n', 'demo', 'create', 'deployment', 'web', '--image=nginx', '--replicas=3'], { minor: 33 });
  const d = JSON.parse(await ok(['-n', 'demo', 'get', 'deploy', 'web', '-o', 'json']));
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(d.metadata.generation, 1);
  const yaml = await ok(['-n', 'demo', 'get', 'deploy', 'web', '-o', 'yaml']);
  assert.match(yaml, /kind: Deployment/);
  await ok(['-n', 'demo', 'scale', 'deploy', 'web', '--replicas=5']);
  await ok(['-n', 'demo', 'label', 'deploy', 'web', 'tier=frontend']);
  await ok(['-n', 'demo', 'annotate', 'deploy', 'web', 'note=hello']);
  const d2 = JSON.parse(await ok(['-n', 'demo', 'get', 'deploy', 'web', '-o', 'json']));
  assert.equal(d2.spec.replicas, 5);
  assert.equal(d2.metadata.labels.tier, 'frontend');
  assert.equal(d2.metadata.annotations.note, 'hello');
  // upstream's deployment strategy: annotations are copied to ReplicaSets, so they bump it like spec
  assert.equal(d2.metadata.generation, 3, 'scale and annotate bump generation; label does not');
  const table = await ok(['-n', 'demo', 'get', 'deploy', '-o', 'wide']);
  assert.match(table.split('\n')[0], /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
  // UP-TO-DATE follows the built-in deployment controller (pods stay unready: no nodes)
  assert.match(table, /web\s+0\/5\s+\d\s+0\s+\S+\s+nginx\s+nginx\s+app=web/);
});

test('apply a multi-document file, re-apply it changed, diff and patch', async () => {
  const f1 = join(tmp, 'app.yaml');
  const f2 = join(tmp, 'app2.yaml');
  writeFileSync(f1, APP(2, 'nginx:1.25', 'blue', '1'));
  writeFileSync(f2, APP(4, 'nginx:1.26', 'green', '2'));
  for (const minor of [30, undefined]) {
    const out = await ok(['apply', '-f', f1], { minor });
    assert.match(out, /configmap\/app-config (created|unchanged|configured)/);
  }
  const again = await ok(['apply', '-f', f1]);
  assert.match(again, /deployment.apps\/app unchanged/);
  const diff = await k(['diff', '-f', f2]);
  assert.equal(diff.code, 1, `kubectl diff exits 1 when there are differences: ${diff.stderr}`);
  assert.match(diff.stdout, /-\s+replicas: 2\n\+\s+replicas: 4/);
  await ok(["apply", "-f", f2], { minor: 30 });
  const d = JSON.parse(await ok(['-n', 'demo', 'get', 'deploy', 'app', '-o', 'json']));
  assert.equal(d.spec.replicas, 4);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'A', value: '2' }]);
  const secret = JSON.parse(await ok(['-n', 'demo', 'get', 'secret', 'app-secret', '-o', 'json']));
  assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 's3cret');
  assert.equal(secret.stringData, undefined);
  const svc = JSON.parse(await ok(['-n', 'demo', 'get', 'svc', 'app', '-o', 'json']));
  assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
  assert.notEqual(svc.spec.clusterIP, '10.96.0.1');
  const nodiff = await k(['diff', '-f', f2]);
  assert.equal(nodiff.code, 0, nodiff.stdout + nodiff.stderr);

  await ok(['-n', 'demo', 'patch', 'deploy', 'app', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":7}]']);
  await ok(['-n', 'demo', 'patch', 'deploy', 'app', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']);
  await ok(['-n', 'demo', 'patch', 'deploy', 'app', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}']);
  const p = JSON.parse(await ok(['-n', 'demo', 'get', 'deploy', 'app', '-o', 'json']));
  assert.equal(p.spec.replicas, 7);
  assert.equal(p.metadata.labels.patched, 'merge');
  assert.deepEqual(p.spec.template.spec.containers.map((c) => c.name), ['side', 'app'], 'strategic merge puts new items first');
  // a failing json-patch test op changes nothing
  const bad = await k(['-n', 'demo', 'patch', 'deploy', 'app', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":1}]']);
  assert.notEqual(bad.code, 0);
  const after = JSON.parse(await ok(['-n', 'demo', 'get', 'deploy', 'app', '-o', 'json']));
  // the built-in deployment controller may update status meanwhile (a new resourceVersion); the spec and
  // its generation must be exactly as before
  assert.deepEqual(after.spec, p.spec);
  assert.equal(after.metadata.generation, p.metadata.generation);
});

test('get with selectors, get all -A, explain', async () => {
  // the built-in controllers made the Deployment's pods; with no nodes they stay Pending
  const pods = await k(['-n', 'demo', 'get', 'pods', '-l', 'app=web']);
  assert.equal(pods.code, 0);
  assert.match(pods.stdout, /^web-[a-z0-9]+-[a-z0-9]{5}\s+0\/1\s+Pending\s+0\s+/m);
  const none = await k(['-n', 'demo', 'get', 'pods', '-l', 'app=nothing']);
  assert.equal(none.code, 0);
  assert.match(none.stderr, /No resources found in demo namespace/);
  const all = await ok(['get', 'all', '-A']);
  assert.match(all, /default\s+service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
  assert.match(all, /demo\s+deployment\.apps\/web/);
  const sel = await ok(['-n', 'demo', 'get', 'deploy', '-l', 'tier in (frontend,backend)', '-o', 'name']);
  assert.equal(sel.trim(), 'deployment.apps/web');
  const fs = await ok(['get', 'ns', '--field-selector', 'metadata.name=demo', '-o', 'name']);
  assert.equal(fs.trim(), 'namespace/demo');
  const ex = await ok(['explain', 'deployment.spec.strategy']);
  assert.match(ex, /KIND:\s+Deployment/);
  assert.match(ex, /rollingUpdate/);
  assert.match(ex, /Type of deployment/);
});

test('get -w sees an edit made by another client', async () => {
  await ok(['-n', 'demo', 'create', 'configmap', 'watched', '--from-literal=a=1'], { minor: 31 });
  const child = spawn(kubectlBinary(), ['-n', 'demo', 'get', 'cm', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: s.kubeconfig } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  try {
    await waitFor(() => /ADDED\s+watched/.test(out), 'initial ADDED');
    await ok(['-n', 'demo', 'patch', 'cm', 'watched', '-p', '{"data":{"a":"2"}}']);
    await waitFor(() => /MODIFIED\s+watched/.test(out), 'MODIFIED after patch');
    await ok(['-n', 'demo', 'delete', 'cm', 'watched']);
    await waitFor(() => /DELETED\s+watched/.test(out), 'DELETED after delete');
  } finally {
    child.kill();
  }
});

test('edit with EDITOR, delete -f and wait --for=delete', async () => {
  const editor = join(tmp, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/color: green/color: purple/" "$1"\n');
  chmodSync(editor, 0o755);
  await ok(['-n', 'demo', 'edit', 'cm', 'app-config'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
  const cm = JSON.parse(await ok(['-n', 'demo', 'get', 'cm', 'app-config', '-o', 'json']));
  assert.equal(cm.data.color, 'purple');
  const f2 = join(tmp, 'app2.yaml');
  const waiter = k(['-n', 'demo', 'wait', '--for=delete', 'deployment/app', '--timeout=20s']);
  const del = await ok(['delete', '-f', f2]);
  assert.match(del, /deployment.apps "app" deleted/);
  const w = await waiter;
  assert.equal(w.code, 0, w.stderr);
  const gone = await k(['-n', 'demo', 'get', 'deploy', 'app']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /NotFound|not found/);
});

test('typed creates from kubectl 1.31 (JSON) and 1.32 (protobuf) give the same objects', async () => {
  for (const minor of [31, 32]) {
    const ns = `typed-${minor}`;
    await ok(['create', 'ns', ns], { minor });
    await ok(['-n', ns, 'create', 'secret', 'generic', 's', '--from-literal=k=v'], { minor });
    await ok(['-n', ns, 'create', 'service', 'clusterip', 'svc', '--tcp=80:8080'], { minor });
    await ok(['-n', ns, 'create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'], { minor });
    const sec = JSON.parse(await ok(['-n', ns, 'get', 'secret', 's', '-o', 'json']));
    assert.equal(Buffer.from(sec.data.k, 'base64').toString(), 'v');
    const svc = JSON.parse(await ok(['-n', ns, 'get', 'svc', 'svc', '-o', 'json']));
    assert.deepEqual(svc.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    const job = JSON.parse(await ok(['-n', ns, 'get', 'job', 'j', '-o', 'json']));
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid'], job.metadata.uid);
  }
});

test('kubectl releases 1.27 to 1.33 can list and read', async () => {
  for (const minor of [27, 28, 30, 33]) {
    const r = await k(['get', 'ns', 'default', '-o', 'jsonpath={.metadata.name}'], { minor });
    assert.equal(r.code, 0, `kubectl 1.${minor}: ${r.stderr}`);
    assert.equal(r.stdout, 'default');
  }
});

async function waitFor(pred, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
