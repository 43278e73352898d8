import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteOpenAPI } from './remoteopenapi.js';
import type { ProxyTransport } from './transport.js';
import type { APIService } from './apiservice.js';

const svc: APIService = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.w.example.com' },
  spec: { group: 'w.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, service: { namespace: 'd', name: 'api' }, insecureSkipTLSVerify: true } } as APIService;

function fakeTransport(docs: Record<string, unknown>, fail = new Set<string>()): ProxyTransport {
  return { get: async (_ep: unknown, _t: unknown, path: string) => {
    if (fail.has(path)) throw new Error('connection refused');
    const d = docs[path.split('?')[0]];
    return d === undefined ? { status: 404, body: '{}', contentType: 'application/json' } : { status: 200, body: JSON.stringify(d), contentType: 'application/json' };
  } } as unknown as ProxyTransport;
}

const local = (doc: unknown) => ({ json: JSON.stringify(doc), hash: 'L', etag: '"L"' });

test('v2: the APIService group version\'s paths and the definitions are merged; Kumo\'s win on a clash', async () => {
  const docs = {
    '/openapi/v2': { paths: { '/apis/w.example.com/v1/things': { get: {} }, '/apis/other/v1/x': { get: {} }, '/api/v1/pods': { get: { remote: true } } },
      definitions: { 'com.example.Thing': { type: 'object' }, 'io.k8s.Pod': { remote: true } } },
  };
  const r = new RemoteOpenAPI(fakeTransport(docs));
  assert.equal(await r.refresh(svc, { host: '127.0.0.1', port: 1 } as never), true);
  assert.equal(await r.refresh(svc, { host: '127.0.0.1', port: 1 } as never), false, 'unchanged documents change nothing');
  const merged = JSON.parse(r.mergeV2(local({ paths: { '/api/v1/pods': { get: {} } }, definitions: { 'io.k8s.Pod': { type: 'object' } } })).json);
  assert.deepEqual(Object.keys(merged.paths).sort(), ['/api/v1/pods', '/apis/w.example.com/v1/things']);
  assert.deepEqual(merged.paths['/api/v1/pods'], { get: {} });
  assert.deepEqual(merged.definitions, { 'io.k8s.Pod': { type: 'object' }, 'com.example.Thing': { type: 'object' } });
  const l = local({ paths: {} });
  assert.equal(r.mergeV2(l), r.mergeV2(l), 'cached while nothing changes');
  assert.equal(r.forget('w.example.com', 'v1'), true);
  assert.equal(r.mergeV2(l), l, 'forgotten: Kumo\'s own document again');
});

test('v3: the group version document is cached and listed in the index with its hash; failures keep the last', async () => {
  const docs: Record<string, unknown> = {
    '/openapi/v3': { paths: { 'apis/w.example.com/v1': { serverRelativeURL: '/openapi/v3/apis/w.example.com/v1?hash=X' } } },
    '/openapi/v3/apis/w.example.com/v1': { openapi: '3.0.0', components: { schemas: { T: { type: 'object' } } } },
  };
  const fail = new Set<string>();
  const r = new RemoteOpenAPI(fakeTransport(docs, fail));
  const v0 = r.version;
  await r.refresh(svc, {} as never);
  assert.ok(r.version > v0);
  const idx = r.v3Index({ paths: { 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=A' } } });
  assert.deepEqual(Object.keys(idx.paths), ['apis/apps/v1', 'apis/w.example.com/v1']);
  const doc = r.v3Doc('apis/w.example.com/v1')!;
  assert.equal(idx.paths['apis/w.example.com/v1'].serverRelativeURL, `/openapi/v3/apis/w.example.com/v1?hash=${doc.hash}`);
  assert.match(doc.hash, /^[0-9A-F]{128}$/);
  fail.add('/openapi/v3'); fail.add('/openapi/v2');
  assert.equal(await r.refresh(svc, {} as never), false);
  assert.equal(r.v3Doc('apis/w.example.com/v1'), doc);
});
