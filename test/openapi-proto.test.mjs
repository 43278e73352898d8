// /openapi/v2 as gnostic protobuf (openapi.v2.Document), which kubectl 1.27/1.28 fetch for apply and
// explain: content negotiation and ETags as kube-openapi, then real kubectl apply/explain runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, kubectlBinary } from './harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GNOSTIC = join(ROOT, 'dist/apiserver/openapi-proto/gnostic.json');
const PB_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PB = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

let s;
let Document;
before(async () => {
  s = await startServer();
  if (existsSync(GNOSTIC)) {
    const protobuf = createRequire(join(ROOT, 'package.json'))('protobufjs');
    Document = protobuf.Root.fromJSON(JSON.parse(readFileSync(GNOSTIC, 'utf8')).root).lookupType('openapi.v2.Document');
  }
});
after(async () => { await s?.stop(); s?.cleanup(); });

/** GET with the admin certificate, keeping the body as bytes (the harness decodes text). */
function getRaw(path, headers = {}) {
  const u = new URL(path, s.url);
  return new Promise((resolve, reject) => {
    const req = https.request({
      hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', headers, ...s.tls, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const named = (list, name) => list?.find((e) => e.name === name);

test('GET /openapi/v2 as protobuf: gnostic Document with the JSON document\'s content and ETag', async (t) => {
  if (!Document) return t.skip('no gnostic descriptor was extracted at build time');
  const json = await getRaw('/openapi/v2', { accept: 'application/json' });
  assert.equal(json.status, 200);
  const spec = JSON.parse(json.body.toString('utf8'));

  const pb = await getRaw('/openapi/v2', { accept: PB_DEPRECATED });
  assert.equal(pb.status, 200);
  // kube-openapi answers the deprecated name with the current Content-Type
  assert.equal(pb.headers['content-type'], PB);
  assert.equal(pb.headers.etag, json.headers.etag, 'protobuf shares the JSON document\'s ETag');
  assert.match(pb.headers.vary ?? '', /Accept/);

  const doc = Document.toObject(Document.decode(pb.body), { arrays: true });
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.definitions.additional_properties.length, Object.keys(spec.definitions).length);
  assert.equal(doc.paths.path.length, Object.keys(spec.paths).length);
  const deployment = named(doc.definitions.additional_properties, 'io.k8s.api.apps.v1.Deployment').value;
  const gvk = named(deployment.vendor_extension, 'x-kubernetes-group-version-kind').value.yaml;
  assert.match(gvk, /group: apps/);
  assert.match(gvk, /kind: Deployment/);

  const current = await getRaw('/openapi/v2', { accept: PB });
  assert.equal(current.status, 200);
  assert.equal(current.headers['content-type'], PB);
  assert.ok(current.body.equals(pb.body), 'both protobuf media types give the same bytes');

  const preferred = await getRaw('/openapi/v2', { accept: `application/json;q=0.5, ${PB}` });
  assert.equal(preferred.headers['content-type'], PB, 'quality decides');
});

test('GET /openapi/v2 protobuf honours If-None-Match', async (t) => {
  if (!Document) return t.skip('no gnostic descriptor was extracted at build time');
  const first = await getRaw('/openapi/v2', { accept: PB_DEPRECATED });
  const again = await getRaw('/openapi/v2', { accept: PB_DEPRECATED, 'if-none-match': first.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, first.headers.etag);
  const stale = await getRaw('/openapi/v2', { accept: PB_DEPRECATED, 'if-none-match': '"0123"' });
  assert.equal(stale.status, 200);
  assert.ok(stale.body.equals(first.body));
});

test('GET /openapi/v2: no Accept is JSON; an unservable Accept is a bare 406', async () => {
  const none = await getRaw('/openapi/v2');
  assert.equal(none.status, 200);
  assert.match(none.headers['content-type'], /^application\/json/);
  const html = await getRaw('/openapi/v2', { accept: 'text/html' });
  assert.equal(html.status, 406);
  assert.equal(html.body.length, 0);
});

test('GET /swagger-2.0.0.pb-v1 is gone, as upstream since 1.14', async () => {
  const r = await getRaw('/swagger-2.0.0.pb-v1', { accept: PB_DEPRECATED });
  assert.equal(r.status, 404);
});

const APP = (ns, { image, sidecar, color, replicas }) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${ns}
data:
  color: ${color}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: ${image}
${sidecar ? '      - name: side\n        image: busybox:1.36\n' : ''}`;

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r;
}

async function containers(ns, minor) {
  const r = await ok(['get', 'deployment', 'web', '-n', ns, '-o', 'json'], { minor });
  return JSON.parse(r.stdout).spec.template.spec.containers.map((c) => ({ name: c.name, image: c.image }));
}

for (const minor of [27, 28]) {
  const ns = `gnostic-${minor}`;
  test(`kubectl 1.${minor} apply -f: create, unchanged, then a strategic merge by container name`, async (t) => {
    if (kubectlBinary(minor) === 'kubectl') return t.skip(`kubectl 1.${minor} is not installed`);
    await ok(['apply', '-f', '-'], { minor, input: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n` });

    const v1 = APP(ns, { image: 'nginx:1.25', sidecar: true, color: 'blue', replicas: 1 });
    const created = await ok(['apply', '-f', '-', '-v=6'], { minor, input: v1 });
    assert.match(created.stdout, /^configmap\/settings created$/m);
    assert.match(created.stdout, /^deployment\.apps\/web created$/m);
    // the protobuf document was fetched and accepted (before: 406, then NotFound on /swagger-2.0.0.pb-v1)
    assert.match(created.stderr, /GET \S+\/openapi\/v2\S* 200 OK/);
    assert.doesNotMatch(created.stderr, /swagger-2\.0\.0\.pb-v1/);

    const same = await ok(['apply', '-f', '-'], { minor, input: v1 });
    assert.match(same.stdout, /^configmap\/settings unchanged$/m);
    assert.match(same.stdout, /^deployment\.apps\/web unchanged$/m);

    // someone else adds a container; apply must merge by name and keep it
    await ok(['patch', 'deployment', 'web', '-n', ns, '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"redis:7"}]}}}}'], { minor });

    const v2 = APP(ns, { image: 'nginx:1.27', sidecar: false, color: 'green', replicas: 2 });
    const changed = await ok(['apply', '-f', '-'], { minor, input: v2 });
    assert.match(changed.stdout, /^configmap\/settings configured$/m);
    assert.match(changed.stdout, /^deployment\.apps\/web configured$/m);

    const byName = Object.fromEntries((await containers(ns, minor)).map((c) => [c.name, c.image]));
    assert.deepEqual(byName, { main: 'nginx:1.27', extra: 'redis:7' },
      'main updated in place, side (removed from the applied config) deleted, extra (not ours) kept');
    const cm = JSON.parse((await ok(['get', 'configmap', 'settings', '-n', ns, '-o', 'json'], { minor })).stdout);
    assert.deepEqual(cm.data, { color: 'green' });
    const dep = JSON.parse((await ok(['get', 'deployment', 'web', '-n', ns, '-o', 'json'], { minor })).stdout);
    assert.equal(dep.spec.replicas, 2);

    // re-applying keeps the foreign container (kubectl may still send a $setElementOrder-only patch)
    await ok(['apply', '-f', '-'], { minor, input: v2 });
    assert.deepEqual(Object.fromEntries((await containers(ns, minor)).map((c) => [c.name, c.image])), byName);
  });
}

// Upstream's mergeSlice puts patch items that are not in the live list first (mergeSortedSlice takes
// the patch side when the live side cannot be compared), and $setElementOrder then keeps server-only
// items where the live list had them relative to the patch items.
test('kubectl 1.28 apply: container order follows upstream strategic merge ($setElementOrder)', async (t) => {
  if (kubectlBinary(28) === 'kubectl') return t.skip('kubectl 1.28 is not installed');
  const ns = 'gnostic-order';
  await ok(['apply', '-f', '-'], { minor: 28, input: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n` });
  await ok(['apply', '-f', '-'], { minor: 28, input: APP(ns, { image: 'nginx:1.25', sidecar: true, color: 'a', replicas: 1 }) });
  await ok(['patch', 'deployment', 'web', '-n', ns, '-p',
    '{"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"redis:7"}]}}}}'], { minor: 28 });
  assert.deepEqual((await containers(ns, 28)).map((c) => c.name), ['extra', 'main', 'side']);
  await ok(['apply', '-f', '-'], { minor: 28, input: APP(ns, { image: 'nginx:1.27', sidecar: false, color: 'a', replicas: 1 }) });
  assert.deepEqual((await containers(ns, 28)).map((c) => c.name), ['extra', 'main']);
});

test('kubectl 1.28 explain, from the OpenAPI v2 protobuf and from v3', async (t) => {
  if (kubectlBinary(28) === 'kubectl') return t.skip('kubectl 1.28 is not installed');
  const v2 = await ok(['explain', 'deployment.spec.template.spec.containers', '--output', 'plaintext-openapiv2'], { minor: 28 });
  assert.match(v2.stdout, /^KIND:\s+Deployment$/m);
  assert.match(v2.stdout, /^VERSION:\s+apps\/v1$/m);
  assert.match(v2.stdout, /^RESOURCE: containers <\[\]Object>$/m);
  assert.match(v2.stdout, /^\s+image\t<string>$/m);
  assert.match(v2.stdout, /^\s+name\t<string> -required-$/m);

  const cm = await ok(['explain', 'configmap', '--output', 'plaintext-openapiv2'], { minor: 28 });
  assert.match(cm.stdout, /^KIND:\s+ConfigMap$/m);
  assert.match(cm.stdout, /^\s+data\t<map\[string\]string>$/m);

  const v3 = await ok(['explain', 'deployment.spec.replicas'], { minor: 28 });
  assert.match(v3.stdout, /^FIELD: replicas <integer>$/m);

  const missing = await s.kubectl(['explain', 'deployment.spec.nope', '--output', 'plaintext-openapiv2'], { minor: 28 });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /field "nope" does not exist/);
});
