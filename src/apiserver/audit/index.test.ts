import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildAuditor, createAuditor, isLongRunning, parsePolicy, policyEvaluator, type Auditor } from './index.js';
import { requestInfo } from '../requestinfo.js';
import { writeError, writeJSON } from '../http/respond.js';
import { StatusError } from '../../machinery/errors.js';
import type { Req, Res } from '../http/types.js';
import type { LineWriter } from './writer.js';

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitManagedFields: true
rules:
- level: None
  nonResourceURLs: ["/healthz*"]
- level: RequestResponse
  resources: [{group: "", resources: [secrets]}]
- level: Request
  resources: [{group: "", resources: [configmaps]}]
  omitStages: [RequestReceived]
- level: Metadata
`;

const lines: string[] = [];
const memory: LineWriter = { write: (l) => { lines.push(l); }, flush: async () => {}, close: async () => {} };
const auditor: Auditor = createAuditor(policyEvaluator(parsePolicy(POLICY)), memory);
const user = { name: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, rec: ReturnType<Auditor['begin']>) => void | Promise<void>;
let handler: Handler = () => {};
let server: http.Server;
let base = '';

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const rec = auditor.begin({ info, user, method: req.method ?? 'GET', uri: req.url ?? '/', sourceIPs: [req.socket.remoteAddress ?? ''],
      userAgent: req.headers['user-agent'], req: req as unknown as Req, res: res as unknown as Res });
    res.once('finish', () => rec.end(res.statusCode));
    res.once('close', () => rec.end(res.statusCode));
    void handler(req, res, rec);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

async function call(method: string, path: string, h: Handler, headers: Record<string, string> = {}) {
  handler = h;
  lines.length = 0;
  const res = await fetch(base + path, { method, headers: { 'user-agent': 'test/1.0', ...headers } });
  const text = await res.text();
  await new Promise((r) => setTimeout(r, 20));
  return { res, text, events: lines.map((l) => JSON.parse(l)) };
}

const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default', managedFields: [{ manager: 'x' }] }, data: { a: '1' } };

test('Request level: request object without managedFields, no response object, RequestReceived omitted', async () => {
  const { res, events } = await call('POST', '/api/v1/namespaces/default/configmaps', (_q, s, rec) => {
    const obj = structuredClone(cm);
    rec.setRequestObject(obj);
    obj.data.a = 'changed later';
    rec.setResponseObject({ ...obj, metadata: { ...obj.metadata, uid: 'x' } });
    writeJSON(s as unknown as Res, 201, obj);
  });
  assert.equal(res.status, 201);
  assert.equal(events.length, 1);
  const [e] = events;
  assert.equal(res.headers.get('audit-id'), e.auditID);
  assert.match(e.auditID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(e.kind, 'Event');
  assert.equal(e.apiVersion, 'audit.k8s.io/v1');
  assert.equal(e.level, 'Request');
  assert.equal(e.stage, 'ResponseComplete');
  assert.equal(e.verb, 'create');
  assert.equal(e.requestURI, '/api/v1/namespaces/default/configmaps');
  assert.deepEqual(e.user, { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] });
  assert.deepEqual(e.sourceIPs, ['127.0.0.1']);
  assert.equal(e.userAgent, 'test/1.0');
  assert.deepEqual(e.objectRef, { resource: 'configmaps', namespace: 'default', name: 'c1', apiVersion: 'v1' });
  assert.deepEqual(e.responseStatus, { metadata: {}, code: 201 });
  assert.deepEqual(e.requestObject, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default' }, data: { a: '1' } });
  assert.equal(e.responseObject, undefined);
  assert.match(e.requestReceivedTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  assert.ok(e.stageTimestamp >= e.requestReceivedTimestamp);
});

test('RequestResponse level: both objects; failures carry the Status in responseStatus', async () => {
  const ok = await call('PUT', '/api/v1/namespaces/ns/secrets/s1', (_q, s, rec) => {
    rec.setRequestObject({ kind: 'Secret', metadata: { name: 's1' } });
    rec.setResponseObject({ kind: 'Secret', metadata: { name: 's1', uid: 'abc' } });
    writeJSON(s as unknown as Res, 200, { kind: 'Secret', metadata: { name: 's1', uid: 'abc' } });
  });
  const phases = ok.events.map((e) => e.stage);
  assert.deepEqual(phases, ['RequestReceived', 'ResponseComplete']);
  assert.equal(ok.events[0].auditID, ok.events[1].auditID);
  assert.equal(ok.events[0].responseStatus, undefined);
  assert.equal(ok.events[0].requestObject, undefined);
  assert.equal(ok.events[0].stageTimestamp, ok.events[0].requestReceivedTimestamp);
  assert.deepEqual(ok.events[1].requestObject, { kind: 'Secret', metadata: { name: 's1' } });
  assert.deepEqual(ok.events[1].responseObject, { kind: 'Secret', metadata: { name: 's1', uid: 'abc' } });

  const nf = await call('GET', '/api/v1/namespaces/ns/secrets/missing', (_q, s) => {
    writeError(s as unknown as Res, new StatusError(404, 'NotFound', 'secrets "missing" not found', { name: 'missing', kind: 'secrets' }));
  });
  const done = nf.events.at(-1);
  assert.equal(nf.res.status, 404);
  assert.deepEqual(done.responseStatus, {
    metadata: {}, status: 'Failure', message: 'secrets "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'secrets' }, code: 404,
  });
  assert.equal(done.responseObject.kind, 'Status', 'RequestResponse records the Status body answered');
});

test('Metadata level: no objects, Status of a failure, name taken from the request object', async () => {
  const { events } = await call('POST', '/apis/apps/v1/namespaces/default/deployments', (_q, s, rec) => {
    rec.setRequestObject({ metadata: { name: 'web', namespace: 'default' } });
    rec.setResponseObject({ metadata: { name: 'web' } });
    writeError(s as unknown as Res, new StatusError(409, 'AlreadyExists', 'deployments.apps "web" already exists'));
  });
  const e = events.at(-1);
  assert.equal(e.level, 'Metadata');
  assert.deepEqual(e.objectRef, { resource: 'deployments', namespace: 'default', name: 'web', apiGroup: 'apps', apiVersion: 'v1' });
  assert.equal(e.requestObject, undefined);
  assert.equal(e.responseObject, undefined);
  assert.equal(e.responseStatus.reason, 'AlreadyExists');
  assert.equal(e.responseStatus.code, 409);
});

test('impersonated user and annotations appear from the stage after they are set', async () => {
  const { events } = await call('GET', '/api/v1/namespaces/default/pods', (_q, s, rec) => {
    rec.setImpersonatedUser({ name: 'bob', groups: ['system:authenticated'] });
    rec.annotate('authorization.k8s.io/decision', 'allow');
    rec.annotate('authorization.k8s.io/reason', '');
    writeJSON(s as unknown as Res, 200, { kind: 'PodList', items: [] });
  });
  assert.equal(events[0].impersonatedUser, undefined);
  assert.equal(events[0].annotations, undefined);
  assert.deepEqual(events[1].user.username, 'alice');
  assert.deepEqual(events[1].impersonatedUser, { username: 'bob', groups: ['system:authenticated'] });
  assert.deepEqual(events[1].annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });
  assert.deepEqual(Object.keys(JSON.parse(lines[1])).slice(0, 9), ['kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser']);
});

test('None level logs nothing but still answers an Audit-ID; a client Audit-ID is kept', async () => {
  const { res, events } = await call('GET', '/healthz/etcd', (_q, s) => { s.end('ok'); });
  assert.equal(events.length, 0);
  assert.ok(res.headers.get('audit-id'));
  const mine = await call('GET', '/version', (_q, s) => { writeJSON(s as unknown as Res, 200, {}); }, { 'audit-id': 'my-id' });
  assert.equal(mine.res.headers.get('audit-id'), 'my-id');
  assert.ok(mine.events.every((e) => e.auditID === 'my-id'));
  assert.equal(mine.events[0].objectRef, undefined, 'non-resource requests have no objectRef');
  assert.equal(mine.events[0].verb, 'get');
});

test('watches log RequestReceived, ResponseStarted when headers go out, then ResponseComplete once', async () => {
  const { events } = await call('GET', '/api/v1/namespaces/default/pods?watch=true', async (_q, s, rec) => {
    s.writeHead(200, { 'content-type': 'application/json' });
    s.flushHeaders();
    await new Promise((r) => setTimeout(r, 30));
    s.write('{"type":"ADDED","object":{}}\n');
    rec.setResponseObject({ ignored: true });
    s.end();
  });
  assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  assert.equal(events[1].verb, 'watch');
  assert.deepEqual(events[1].responseStatus, { metadata: {}, code: 200 });
  assert.deepEqual(events[2].responseStatus, { metadata: {}, code: 200 });
  assert.ok(events[1].stageTimestamp < events[2].stageTimestamp);
});

test('long-running requests', () => {
  const q = new URLSearchParams();
  assert.equal(isLongRunning(requestInfo('GET', '/api/v1/pods', new URLSearchParams('watch=1'))), true);
  assert.equal(isLongRunning(requestInfo('GET', '/api/v1/watch/pods', q)), true);
  assert.equal(isLongRunning(requestInfo('GET', '/api/v1/namespaces/d/pods/p/log', q)), true);
  assert.equal(isLongRunning(requestInfo('POST', '/api/v1/namespaces/d/pods/p/exec', q)), true);
  assert.equal(isLongRunning(requestInfo('GET', '/api/v1/namespaces/d/pods/p', q)), false);
  assert.equal(isLongRunning(requestInfo('GET', '/api/v1/namespaces/d/pods/p/status', q)), false);
});

test('X-Forwarded-For comes first in sourceIPs', async () => {
  const { events } = await call('GET', '/version', (_q, s) => { writeJSON(s as unknown as Res, 200, {}); }, { 'x-forwarded-for': '10.0.0.1, 10.0.0.2' });
  assert.deepEqual(events[0].sourceIPs, ['10.0.0.1', '10.0.0.2', '127.0.0.1']);
});

test('buildAuditor: off without policy or path, rejects bad policies and negative flags, writes a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-audit-build-'));
  try {
    assert.equal(await buildAuditor({}), undefined);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n');
    await assert.rejects(buildAuditor({ policyFile: bad, logPath: join(dir, 'a.log') }), /loading audit policy file: loaded illegal policy with 0 rules: from file/);
    await assert.rejects(buildAuditor({ policyFile: bad }), /illegal policy/, 'the policy is checked even without a backend');
    const good = join(dir, 'good.yaml');
    writeFileSync(good, POLICY);
    await assert.rejects(buildAuditor({ policyFile: good, logPath: join(dir, 'a.log'), maxBackups: -1 }), /--audit-log-maxbackup -1 can't be a negative number/);
    assert.equal(await buildAuditor({ policyFile: good }), undefined);
    const path = join(dir, 'logs', 'audit.log');
    const a = (await buildAuditor({ policyFile: good, logPath: path, maxSizeMB: 1 }))!;
    const info = requestInfo('DELETE', '/api/v1/namespaces/default/pods/p', new URLSearchParams());
    const rec = a.begin({ info, user, method: 'DELETE', uri: '/api/v1/namespaces/default/pods/p', sourceIPs: ['::ffff:127.0.0.1'] });
    rec.end(200);
    rec.end(200);
    await a.close();
    const events = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => e.stage), ['RequestReceived', 'ResponseComplete'], 'end twice logs once');
    assert.deepEqual(events[1].responseStatus, { metadata: {}, code: 200 });
    assert.deepEqual(events[0].sourceIPs, ['127.0.0.1'], 'IPv4-mapped addresses print as IPv4');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
