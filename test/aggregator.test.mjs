// End-to-end: the aggregation layer. The test runs a small HTTPS extension API server on 127.0.0.1
// (wardle.example.com/v1alpha1 discovery and `flunders`, plus an endpoint echoing the X-Remote-*
// headers it received); it accepts only clients with a certificate from Kumo's front-proxy CA. It is
// registered through a selector-less Service, a hand-written Endpoints and an APIService; then
// kubectl reaches it through Kumo, discovery lists it, availability follows the endpoints, and bad
// APIServices get upstream's errors.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.mjs';
import { createCA, issueCertificate } from '../dist/pki/index.js';

const GROUP = 'wardle.example.com';
const NAME = `v1alpha1.${GROUP}`;
const BASE = `/apis/${GROUP}/v1alpha1`;
let srv;
let ext;
let extPort;
const seen = [];

const flunder = (name) => ({ apiVersion: `${GROUP}/v1alpha1`, kind: 'Flunder', metadata: { name, namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' }, spec: {} });

// a small OpenAPI description of Flunder (what `kubectl explain` reads), v2 and v3
const FLUNDER_SCHEMA = {
  description: 'Flunder is an example type served by the test extension server.',
  type: 'object',
  properties: {
    apiVersion: { type: 'string', description: 'APIVersion of the object.' },
    kind: { type: 'string', description: 'Kind of the object.' },
    metadata: { type: 'object', description: 'Standard object metadata.' },
    spec: { type: 'object', description: 'What the flunder should be.', properties: { reference: { type: 'string', description: 'The name of another flunder this one refers to.' } } },
  },
  'x-kubernetes-group-version-kind': [{ group: GROUP, version: 'v1alpha1', kind: 'Flunder' }],
};
const FLUNDER_GVK = { group: GROUP, version: 'v1alpha1', kind: 'Flunder' };
const OPENAPI_V2 = {
  swagger: '2.0', info: { title: 'wardle', version: 'v0' },
  paths: { [`${BASE}/namespaces/{namespace}/flunders`]: { get: { operationId: 'listWardleV1alpha1NamespacedFlunder', responses: { 200: { description: 'OK' } }, 'x-kubernetes-group-version-kind': FLUNDER_GVK } },
    '/apis/other.example.com/v1/things': { get: { operationId: 'notOurs', responses: { 200: { description: 'OK' } } } } },
  definitions: { 'com.example.wardle.v1alpha1.Flunder': FLUNDER_SCHEMA },
};
const OPENAPI_V3 = {
  openapi: '3.0.0', info: { title: 'wardle', version: 'v0' },
  paths: { [`${BASE}/namespaces/{namespace}/flunders`]: { get: { operationId: 'listWardleV1alpha1NamespacedFlunder', responses: { 200: { description: 'OK' } }, 'x-kubernetes-group-version-kind': FLUNDER_GVK } } },
  components: { schemas: { 'com.example.wardle.v1alpha1.Flunder': FLUNDER_SCHEMA } },
};

function extensionServer(caPem, serving) {
  return https.createServer({ key: serving.keyPem, cert: serving.certPem, ca: caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = req.socket.getPeerCertificate();
    const json = (code, body) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    // only the aggregator, proving itself with a certificate from the front-proxy CA, may talk to us
    if (!req.socket.authorized || peer?.subject?.CN !== 'front-proxy-client') return json(401, { kind: 'Status', status: 'Failure', code: 401 });
    const url = new URL(req.url, 'https://x');
    seen.push({ path: url.pathname, user: req.headers['x-remote-user'], headers: req.headers });
    if (url.pathname === '/apis') {
      return json(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: GROUP, versions: [{ groupVersion: `${GROUP}/v1alpha1`, version: 'v1alpha1' }], preferredVersion: { groupVersion: `${GROUP}/v1alpha1`, version: 'v1alpha1' } }] });
    }
    if (url.pathname === BASE) {
      return json(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${GROUP}/v1alpha1`, resources: [
        { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list', 'watch'], shortNames: ['fl'] },
        { name: 'whoami', singularName: 'whoami', namespaced: false, kind: 'WhoAmI', verbs: ['get'] },
      ] });
    }
    if (url.pathname === '/openapi/v2') return json(200, OPENAPI_V2);
    if (url.pathname === '/openapi/v3') return json(200, { paths: { [`apis/${GROUP}/v1alpha1`]: { serverRelativeURL: `/openapi/v3/apis/${GROUP}/v1alpha1?hash=ABC` } } });
    if (url.pathname === `/openapi/v3/apis/${GROUP}/v1alpha1`) return json(200, OPENAPI_V3);
    if (url.pathname === `${BASE}/whoami`) {
      return json(200, {
        user: req.headers['x-remote-user'], groups: req.headersDistinct['x-remote-group'] ?? [],
        extra: Object.fromEntries(Object.entries(req.headersDistinct).filter(([k]) => k.startsWith('x-remote-extra-'))),
        authorization: req.headers.authorization ?? null, impersonate: Object.keys(req.headers).filter((k) => k.startsWith('impersonate-')),
        peerCN: peer.subject.CN,
      });
    }
    if (url.pathname === `${BASE}/namespaces/default/flunders`) {
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: flunder('one') })}\n`);
        setTimeout(() => res.write(`${JSON.stringify({ type: 'ADDED', object: flunder('two') })}\n`), 200);
        return; // stays open until the client goes
      }
      return json(200, { kind: 'FlunderList', apiVersion: `${GROUP}/v1alpha1`, metadata: { resourceVersion: '1' }, items: [flunder('one'), flunder('two')] });
    }
    if (url.pathname === `${BASE}/namespaces/default/flunders/one`) return json(200, flunder('one'));
    return json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  });
}

async function waitFor(fn, what, ms = 20_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function available(name = NAME) {
  const r = await srv.request('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
  return r.json?.status?.conditions?.find((c) => c.type === 'Available');
}

const endpoints = (subsets) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'default' }, subsets });
const liveSubsets = () => [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: extPort }] }];

describe('aggregation layer', () => {
  before(async () => {
    srv = await startServer();
    const ca = await createCA('wardle-ca');
    const serving = await issueCertificate(ca, { commonName: 'api.default.svc', dnsNames: ['api.default.svc'], usages: ['server'], days: 1 });
    ext = extensionServer(readFileSync(join(srv.dir, 'pki', 'front-proxy-ca.crt'), 'utf8'), serving);
    await new Promise((r) => ext.listen(0, '127.0.0.1', r));
    extPort = ext.address().port;
    let r = await srv.request('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 8443 }] } } });
    assert.equal(r.status, 201, r.text);
    r = await srv.request('POST', '/api/v1/namespaces/default/endpoints', { body: endpoints(liveSubsets()) });
    assert.equal(r.status, 201, r.text);
    r = await srv.request('POST', '/apis/apiregistration.k8s.io/v1/apiservices', { body: {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: NAME },
      spec: { group: GROUP, version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15,
        service: { namespace: 'default', name: 'api' }, caBundle: Buffer.from(ca.certPem).toString('base64') },
    } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.spec.service.port, 443, 'port defaults to 443');
    const w = await srv.kubectl(['wait', '--for=condition=Available', `apiservice/${NAME}`, '--timeout=30s']);
    assert.equal(w.code, 0, w.stderr + srv.output());
  });
  after(async () => { await srv?.stop(); srv?.cleanup(); ext?.closeAllConnections?.(); ext?.close(); });

  test('kube-system/extension-apiserver-authentication tells extension servers how to authenticate; the bootstrap reader role', async () => {
    const cm = (await srv.request('GET', '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication')).json;
    assert.match(cm.data['client-ca-file'], /^-----BEGIN CERTIFICATE-----/);
    assert.match(cm.data['requestheader-client-ca-file'], /^-----BEGIN CERTIFICATE-----/);
    assert.notEqual(cm.data['client-ca-file'], cm.data['requestheader-client-ca-file']);
    assert.equal(cm.data['requestheader-allowed-names'], '["front-proxy-client"]');
    assert.equal(cm.data['requestheader-username-headers'], '["X-Remote-User"]');
    assert.equal(cm.data['requestheader-group-headers'], '["X-Remote-Group"]');
    assert.equal(cm.data['requestheader-extra-headers-prefix'], '["X-Remote-Extra-"]');
    const can = await srv.kubectl(['auth', 'can-i', 'get', 'configmap/extension-apiserver-authentication', '-n', 'kube-system', '--as', 'system:kube-scheduler']);
    assert.equal(can.stdout.trim(), 'yes', can.stderr);
    const other = await srv.kubectl(['auth', 'can-i', 'get', 'configmap/kube-root-ca.crt', '-n', 'kube-system', '--as', 'system:kube-scheduler']);
    assert.equal(other.stdout.trim(), 'no');
  });

  test('local APIServices exist for built-in group versions, Available with reason Local', async () => {
    for (const [name, group, gpm, vp] of [['v1.', '', 18000, 1], ['v1.apps', 'apps', 17800, 15], ['v2.autoscaling', 'autoscaling', 17500, 30], ['v1.apiregistration.k8s.io', 'apiregistration.k8s.io', 18000, 15]]) {
      const r = await srv.request('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.json.spec.service, undefined);
      assert.deepEqual([r.json.spec.group ?? '', r.json.spec.groupPriorityMinimum, r.json.spec.versionPriority], [group, gpm, vp], name);
      assert.equal(r.json.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'onstart');
      const c = r.json.status.conditions[0];
      assert.deepEqual([c.type, c.status, c.reason, c.message], ['Available', 'True', 'Local', 'Local APIServices are always available']);
    }
    const t = await srv.kubectl(['get', 'apiservices']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE/);
    assert.match(t.stdout, /\nv1\.apps\s+Local\s+True\s+\S+/);
    assert.match(t.stdout, new RegExp(`\\n${NAME.replace(/\./g, '\\.')}\\s+default/api\\s+True\\s+`));
  });

  test('the APIService is Available with reason Passed after a discovery check with the front-proxy identity', async () => {
    const c = await available();
    assert.deepEqual([c.status, c.reason, c.message], ['True', 'Passed', 'all checks passed']);
    const probe = seen.find((s) => s.path === BASE && s.user === 'system:kube-aggregator');
    assert.ok(probe, 'the availability check hit the discovery path');
    assert.deepEqual(probe.headers['x-remote-group'], 'system:masters');
  });

  test('kubectl get flunders is proxied to the extension server; get by name and -o json too', async () => {
    const r = await waitFor(async () => { const x = await srv.kubectl(['get', 'flunders']); return x.code === 0 ? x : undefined; }, 'kubectl get flunders');
    assert.match(r.stdout, /^NAME\s+AGE/);
    assert.match(r.stdout, /\none\s+/);
    assert.match(r.stdout, /\ntwo\s+/);
    const j = await srv.kubectl(['get', 'fl', 'one', '-o', 'json']);
    assert.equal(j.code, 0, j.stderr);
    assert.equal(JSON.parse(j.stdout).kind, 'Flunder');
  });

  test('discovery lists the group: /apis after the built-ins, /apis/<group>, aggregated discovery, kubectl api-resources', async () => {
    const apis = await srv.request('GET', '/apis');
    const names = apis.json.groups.map((g) => g.name);
    assert.equal(names[0], 'apiregistration.k8s.io');
    assert.equal(names.at(-1), GROUP, 'priority 1000 sorts after every built-in group');
    const g = await srv.request('GET', `/apis/${GROUP}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.json.preferredVersion, { groupVersion: `${GROUP}/v1alpha1`, version: 'v1alpha1' });
    for (const v of ['v2', 'v2beta1']) {
      const agg = await srv.request('GET', '/apis', { headers: { accept: `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` } });
      const item = agg.json.items.find((i) => i.metadata.name === GROUP);
      assert.ok(item, `aggregated ${v} lists ${GROUP}`);
      const fl = item.versions[0].resources.find((x) => x.resource === 'flunders');
      assert.deepEqual([fl.scope, fl.responseKind.kind, fl.shortNames], ['Namespaced', 'Flunder', ['fl']]);
    }
    const ar = await srv.kubectl(['api-resources', `--api-group=${GROUP}`]);
    assert.equal(ar.code, 0, ar.stderr);
    assert.match(ar.stdout, new RegExp(`flunders\\s+fl\\s+${GROUP.replace(/\./g, '\\.')}/v1alpha1\\s+true\\s+Flunder`));
  });

  test('OpenAPI of the extension server is merged: /openapi/v2 paths and definitions, the /openapi/v3 index, kubectl explain', async () => {
    const v2 = await waitFor(async () => {
      const r = await srv.request('GET', '/openapi/v2');
      return r.json?.definitions?.['com.example.wardle.v1alpha1.Flunder'] ? r.json : undefined;
    }, 'merged /openapi/v2');
    assert.ok(v2.paths[`${BASE}/namespaces/{namespace}/flunders`], 'the group version\'s paths are merged');
    assert.equal(v2.paths['/apis/other.example.com/v1/things'], undefined, 'paths outside the APIService\'s group version are not');
    assert.ok(v2.definitions['io.k8s.api.core.v1.Pod'], 'Kumo\'s own definitions stay');
    assert.ok(v2.paths['/api/v1/namespaces/{namespace}/pods'], 'Kumo\'s own paths stay');
    const idx = await srv.request('GET', '/openapi/v3');
    const entry = idx.json.paths[`apis/${GROUP}/v1alpha1`];
    assert.match(entry?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/apis/${GROUP.replace(/\./g, '\\.')}/v1alpha1\\?hash=[0-9A-F]{128}$`));
    assert.ok(idx.json.paths['apis/apps/v1'], 'Kumo\'s own group versions stay in the index');
    const v3 = await srv.request('GET', entry.serverRelativeURL);
    assert.equal(v3.status, 200);
    assert.deepEqual(v3.json.components.schemas['com.example.wardle.v1alpha1.Flunder'], FLUNDER_SCHEMA);
    for (const env of [{}, { KUBECTL_EXPLAIN_OPENAPIV3: 'false' }]) {
      const e = await srv.kubectl(['explain', 'flunders'], { env });
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout, /KIND:\s+Flunder/);
      assert.match(e.stdout, /Flunder is an example type served by the test extension server\./);
      const f = await srv.kubectl(['explain', 'flunders.spec.reference'], { env });
      assert.equal(f.code, 0, f.stderr);
      assert.match(f.stdout, /The name of another flunder this one refers to\./);
    }
  });

  test('the extension server sees the real (impersonated) user in X-Remote-* headers, never the credentials', async () => {
    const r = await srv.request('GET', `${BASE}/whoami`, { headers: { 'Impersonate-User': 'jane', 'Impersonate-Group': 'system:masters', 'Impersonate-Extra-Scopes': 'view' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user, 'jane');
    assert.deepEqual(r.json.groups, ['system:masters', 'system:authenticated']);
    assert.deepEqual(r.json.extra, { 'x-remote-extra-scopes': ['view'] });
    assert.deepEqual([r.json.authorization, r.json.impersonate, r.json.peerCN], [null, [], 'front-proxy-client']);
    const admin = await srv.kubectl(['get', '--raw', `${BASE}/whoami`]);
    assert.equal(JSON.parse(admin.stdout).user, 'kubernetes-admin');
  });

  test('authorization happens in Kumo before proxying', async () => {
    const before = seen.length;
    const r = await srv.kubectl(['get', 'flunders', '--as=jane']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(Forbidden\): flunders\.wardle\.example\.com is forbidden: User "jane" cannot list resource "flunders" in API group "wardle\.example\.com" in the namespace "default"/);
    assert.equal(seen.filter((s) => s.user === 'jane' && s.path.includes('flunders')).length, 0);
    void before;
  });

  test('watch streams through the proxy', async () => {
    const u = new URL(`${BASE}/namespaces/default/flunders?watch=true`, srv.url);
    const lines = await new Promise((resolve, reject) => {
      const req = https.get({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, ...srv.tls, agent: false }, (res) => {
        let buf = '';
        res.on('data', (d) => {
          buf += d;
          const ls = buf.split('\n').filter(Boolean);
          if (ls.length >= 2) { req.destroy(); resolve(ls.map((l) => JSON.parse(l))); }
        });
      });
      req.on('error', reject);
    });
    assert.deepEqual(lines.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'one'], ['ADDED', 'two']]);
  });

  test('endpoints without addresses: Available=False MissingEndpoints and 503; gone: EndpointsNotFound; back: Available', async () => {
    let r = await srv.request('PUT', '/api/v1/namespaces/default/endpoints/api', { body: endpoints([]) });
    assert.equal(r.status, 200, r.text);
    const c = await waitFor(async () => { const x = await available(); return x?.status === 'False' ? x : undefined; }, 'MissingEndpoints');
    assert.deepEqual([c.reason, c.message], ['MissingEndpoints', 'endpointslices for service/api in "default" have no addresses with port name "https"']);
    r = await srv.request('GET', `${BASE}/namespaces/default/flunders`);
    assert.equal(r.status, 503);
    assert.equal(r.text, 'service unavailable\n');
    const k = await srv.kubectl(['get', 'flunders']);
    assert.notEqual(k.code, 0);
    assert.match(k.stderr, /the server is currently unable to handle the request/);
    const t = await srv.kubectl(['get', 'apiservice', NAME]);
    assert.match(t.stdout, /default\/api\s+False \(MissingEndpoints\)/);

    r = await srv.request('DELETE', '/api/v1/namespaces/default/endpoints/api');
    assert.equal(r.status, 200, r.text);
    const gone = await waitFor(async () => { const x = await available(); return x?.reason === 'EndpointsNotFound' ? x : undefined; }, 'EndpointsNotFound');
    assert.equal(gone.message, 'cannot find endpointslices for service/api in "default"');

    r = await srv.request('POST', '/api/v1/namespaces/default/endpoints', { body: endpoints(liveSubsets()) });
    assert.equal(r.status, 201, r.text);
    await waitFor(async () => (await available())?.status === 'True', 'Available again');
    const again = await srv.request('GET', `${BASE}/namespaces/default/flunders/one`);
    assert.equal(again.status, 200);
  });

  test('an APIService pointing at a missing service: ServiceNotFound, requests get 503', async () => {
    const r = await srv.request('POST', '/apis/apiregistration.k8s.io/v1/apiservices', { body: {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.nowhere.example.com' },
      spec: { group: 'nowhere.example.com', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 10, insecureSkipTLSVerify: true, service: { namespace: 'default', name: 'nope' } },
    } });
    assert.equal(r.status, 201, r.text);
    const c = await waitFor(() => available('v1beta1.nowhere.example.com'), 'a condition');
    assert.deepEqual([c.status, c.reason, c.message], ['False', 'ServiceNotFound', 'service/nope in "default" is not present']);
    const p = await srv.request('GET', '/apis/nowhere.example.com/v1beta1/things');
    assert.deepEqual([p.status, p.text], [503, 'service unavailable\n']);
    // listed in /apis (as upstream lists every APIService) but absent from aggregated discovery
    const apis = await srv.request('GET', '/apis');
    assert.ok(apis.json.groups.some((g) => g.name === 'nowhere.example.com'));
    const agg = await srv.request('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
    assert.ok(!agg.json.items.some((i) => i.metadata.name === 'nowhere.example.com'));
    const d = await srv.request('DELETE', '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.nowhere.example.com');
    assert.equal(d.status, 200);
    const after = await srv.request('GET', '/apis/nowhere.example.com/v1beta1/things');
    assert.equal(after.status, 404);
  });

  test('invalid APIServices are rejected with 422 and upstream messages; nothing is stored', async () => {
    const post = (metadata, spec) => srv.request('POST', '/apis/apiregistration.k8s.io/v1/apiservices', { body: { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata, spec } });
    let r = await post({ name: 'v1.wrong.example.com' }, { group: 'right.example.com', version: 'v1', groupPriorityMinimum: 100, versionPriority: 10, service: { namespace: 'default', name: 'api' } });
    assert.equal(r.status, 422);
    assert.equal(r.json.message, 'APIService.apiregistration.k8s.io "v1.wrong.example.com" is invalid: metadata.name: Invalid value: "v1.wrong.example.com": must be `spec.version+"."+spec.group`: "v1.right.example.com"');
    r = await post({ name: 'v1.right.example.com' }, { group: 'right.example.com', version: 'v1', groupPriorityMinimum: 0, versionPriority: 2000, service: { namespace: 'default', name: 'api' } });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.details.causes.map((c) => `${c.field}: ${c.message}`), [
      'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
      'spec.versionPriority: Invalid value: 2000: must be positive and less than 1000',
    ]);
    r = await post({ name: 'v1.right.example.com' }, { group: 'right.example.com', version: 'v1', groupPriorityMinimum: 10, versionPriority: 10, caBundle: 'YWJj' });
    assert.equal(r.status, 422);
    assert.match(r.json.message, /spec\.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle/);
    const g = await srv.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.right.example.com');
    assert.equal(g.status, 404);
  });

  test('an extension server that went away: the proxied request gets 503 "error trying to reach service"', async () => {
    ext.closeAllConnections();
    await new Promise((r) => ext.close(r));
    const r = await srv.request('GET', `${BASE}/namespaces/default/flunders`);
    assert.equal(r.status, 503);
    assert.match(r.text, /^error trying to reach service: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\n$/);
  });
});
