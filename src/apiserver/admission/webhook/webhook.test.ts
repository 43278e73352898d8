import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { builtinResources } from '../../../api/resources.js';
import type { KObject, ResourceType } from '../../../api/types.js';
import { StatusError } from '../../../machinery/errors.js';
import { createCA, issueCertificate } from '../../../pki/index.js';
import type { AdmissionAttributes, ReinvocationContext } from '../../chain.js';
import { ruleMatches, type RuleSubject } from './rules.js';
import { evaluateConditions } from './conditions.js';
import { decodeReview, verifyResponse } from './review.js';
import { toStatusErr } from './errors.js';
import { applyPatch, decodePatch } from './patch.js';
import { serviceResolver } from './service.js';
import { newMutatingWebhookPlugin } from './mutating.js';
import { newValidatingWebhookPlugin } from './validating.js';
import type { WebhookDeps } from './dispatcher.js';
import type { Webhook } from './types.js';

const type = (group: string, resource: string): ResourceType => builtinResources.find((t) => t.group === group && t.resource === resource)!;
const subj = (over: Partial<RuleSubject>): RuleSubject => ({ operation: 'CREATE', group: '', version: 'v1', resource: 'pods', subresource: '', namespace: 'default', ...over });

test('rules: operations, groups, versions, resources with subresources and wildcards', () => {
  const r = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };
  assert.ok(ruleMatches(r, subj({})));
  assert.ok(!ruleMatches(r, subj({ operation: 'UPDATE' })));
  assert.ok(!ruleMatches(r, subj({ subresource: 'status' })), 'pods does not cover pods/status');
  assert.ok(!ruleMatches(r, subj({ group: 'apps' })));
  assert.ok(ruleMatches({ ...r, resources: ['pods/*'] }, subj({ subresource: 'status' })));
  assert.ok(ruleMatches({ ...r, resources: ['pods/*'] }, subj({})), 'a "*" subresource also matches the main resource, as upstream');
  assert.ok(ruleMatches({ ...r, resources: ['*/status'] }, subj({ subresource: 'status' })));
  assert.ok(ruleMatches({ ...r, resources: ['*'] }, subj({ resource: 'configmaps' })));
  assert.ok(!ruleMatches({ ...r, resources: ['*'] }, subj({ subresource: 'status' })));
  assert.ok(ruleMatches({ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] }, subj({ operation: 'DELETE', group: 'apps', subresource: 'scale' })));
});

test('rules: scope Namespaced / Cluster; namespaces are cluster-scoped', () => {
  const base = { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] };
  assert.ok(ruleMatches({ ...base, scope: 'Namespaced' }, subj({})));
  assert.ok(!ruleMatches({ ...base, scope: 'Namespaced' }, subj({ resource: 'nodes', namespace: '' })));
  assert.ok(!ruleMatches({ ...base, scope: 'Namespaced' }, subj({ resource: 'namespaces', namespace: 'ns1' })));
  assert.ok(ruleMatches({ ...base, scope: 'Cluster' }, subj({ resource: 'namespaces', namespace: 'ns1' })));
  assert.ok(!ruleMatches({ ...base, scope: 'Cluster' }, subj({})));
  assert.ok(ruleMatches({ ...base, scope: '*' }, subj({})));
});

test('matchConditions: all true matches, any false skips, errors follow failurePolicy', () => {
  const input = { object: { metadata: { name: 'a', labels: { x: 'y' } }, spec: { replicas: 3 } }, oldObject: null, request: { operation: 'CREATE' } };
  const c = (expression: string) => ({ name: 'c', expression });
  assert.deepEqual(evaluateConditions([c('object.spec.replicas > 2'), c("request.operation == 'CREATE'")], input, 'Fail'), { matches: true });
  assert.deepEqual(evaluateConditions([c('object.spec.replicas > 5')], input, 'Fail'), { matches: false, failedCondition: 'c' });
  const err = evaluateConditions([c('object.spec.missing == 1')], input, 'Fail');
  assert.ok('error' in err && /expression 'object.spec.missing == 1' resulted in error: No such key: missing/.test(err.error), JSON.stringify(err));
  assert.deepEqual(evaluateConditions([c('object.spec.missing == 1')], input, 'Ignore'), { matches: false });
  // a false condition wins over an error
  assert.deepEqual(evaluateConditions([c('object.spec.missing == 1'), { name: 'f', expression: 'false' }], input, 'Fail'), { matches: false, failedCondition: 'f' });
  assert.ok('error' in evaluateConditions([c("'str'")], input, 'Fail'), 'non-bool result is an error');
});

test('responses: uid, kind and patch checks with upstream messages', () => {
  const ok = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u1', allowed: true } };
  assert.equal(verifyResponse('u1', 'v1', true, ok).allowed, true);
  assert.throws(() => verifyResponse('u2', 'v1', true, ok), /^Error: expected response.uid="u2", got "u1"$/);
  assert.throws(() => verifyResponse('u1', 'v1', true, { ...ok, apiVersion: 'admission.k8s.io/v1beta1' }), /expected webhook response of admission.k8s.io\/v1, Kind=AdmissionReview, got admission.k8s.io\/v1beta1, Kind=AdmissionReview/);
  assert.throws(() => verifyResponse('u1', 'v1', true, { ...ok, response: undefined }), /webhook response was absent/);
  assert.throws(() => verifyResponse('u1', 'v1', true, { ...ok, response: { uid: 'u1', allowed: true, patch: 'W10=' } }), /webhook returned response.patch but not response.patchType/);
  assert.throws(() => verifyResponse('u1', 'v1', true, { ...ok, response: { uid: 'u1', allowed: true, patchType: 'JSONPatch' } }), /webhook returned response.patchType but not response.patch/);
  assert.throws(() => verifyResponse('u1', 'v1', false, { ...ok, response: { uid: 'u1', allowed: true, patch: 'W10=', patchType: 'JSONPatch' } }), /validating webhook may not return response.patch/);
  // v1beta1 answers are not held to the uid, and a patch implies JSONPatch
  const beta = verifyResponse('u1', 'v1beta1', true, { response: { allowed: true, patch: 'W10=' } });
  assert.equal(beta.patchType, 'JSONPatch');
  assert.throws(() => decodeReview('not json'), /couldn't get version\/kind; json parse error/);
  assert.throws(() => decodeReview('{"response":{}}'), /Object 'Kind' is missing/);
});

test('denials keep the webhook status code (at least 400) and prefix the message', () => {
  const e = toStatusErr('deny.example.com', { code: 403, message: 'no thanks', reason: 'Forbidden' });
  assert.equal(e.code, 403);
  assert.equal(e.message, 'admission webhook "deny.example.com" denied the request: no thanks');
  assert.equal(toStatusErr('x.y.z', { code: 200 }).code, 400);
  assert.equal(toStatusErr('x.y.z', undefined).message, 'admission webhook "x.y.z" denied the request without explanation');
  assert.equal(toStatusErr('x.y.z', { reason: 'Because' }).message, 'admission webhook "x.y.z" denied the request: Because');
});

test('patches: decoded from base64, applied to a copy, failures explained', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
  const doc = { metadata: { name: 'a' } };
  const out = applyPatch(doc, decodePatch(b64([{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }])));
  assert.deepEqual(out, { metadata: { name: 'a', labels: { a: 'b' } } });
  assert.deepEqual(doc, { metadata: { name: 'a' } }, 'the original is untouched');
  assert.throws(() => decodePatch(b64({ op: 'add' })), /cannot unmarshal object into Go value of type jsonpatch.Patch/);
  assert.throws(() => decodePatch(Buffer.from('garbage').toString('base64')), /JSON/);
  assert.throws(() => applyPatch(doc, decodePatch(b64([{ op: 'replace', path: '/spec/x', value: 1 }]))), /does not apply|missing/);
  assert.throws(() => applyPatch(doc, decodePatch(b64([{ op: 'test', path: '/metadata/name', value: 'z' }]))), /testing value \/metadata\/name failed/);
});

test('service references resolve to a ready endpoint of the named port, else a clear error', () => {
  const svc = { metadata: { name: 'hook', namespace: 'ns' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 8443 }] } };
  const slice = { metadata: { labels: { 'kubernetes.io/service-name': 'hook' } }, ports: [{ name: 'https', port: 8443 }],
    endpoints: [{ addresses: ['10.0.0.9'], conditions: { ready: false } }, { addresses: ['10.0.0.7'], conditions: { ready: true } }] };
  const r = serviceResolver({ service: (ns, n) => (ns === 'ns' && n === 'hook' ? svc : undefined), endpointSlices: () => [slice], endpoints: () => undefined });
  assert.deepEqual(r('ns', 'hook', 443), { host: '10.0.0.7', port: 8443 });
  assert.deepEqual(r('ns', 'other', 443), { error: 'service "other" not found' });
  assert.deepEqual(r('ns', 'hook', 444), { error: 'no service port 444 found for service "hook"' });
  const empty = serviceResolver({ service: () => svc, endpointSlices: () => [], endpoints: () => undefined });
  assert.deepEqual(empty('ns', 'hook', 443), { error: 'no endpoints available for service "hook"' });
  const legacy = serviceResolver({ service: () => svc, endpointSlices: () => [],
    endpoints: () => ({ subsets: [{ addresses: [{ ip: '10.1.1.1' }], ports: [{ name: 'https', port: 9443 }] }] }) });
  assert.deepEqual(legacy('ns', 'hook', 443), { host: '10.1.1.1', port: 9443 });
});

// --- dispatch against a real HTTPS webhook on loopback ---

type Handler = (review: { request: Record<string, any> }) => unknown;
let server: https.Server;
let port = 0;
let caBundle = '';
let handler: Handler = () => ({});
const seen: Record<string, any>[] = [];

before(async () => {
  const ca = await createCA('webhook-test-ca');
  const leaf = await issueCertificate(ca, { commonName: 'webhook', ipAddresses: ['127.0.0.1'], dnsNames: ['hook.ns.svc'], usages: ['server'], days: 1 });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString());
      seen.push({ ...review.request, path: req.url });
      const out = handler(review);
      if (out === 'hang') return;
      res.setHeader('content-type', 'application/json');
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
after(() => { server.closeAllConnections(); server.close(); });

const answer = (req: Record<string, any>, response: Record<string, unknown>) =>
  ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: req.uid, ...response } });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

function hook(name: string, over: Partial<Webhook> = {}): Webhook {
  return {
    name, clientConfig: { url: `https://127.0.0.1:${port}/${name}`, caBundle },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' }],
    failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, sideEffects: 'None',
    timeoutSeconds: 10, admissionReviewVersions: ['v1'], reinvocationPolicy: 'Never', ...over,
  };
}

function deps(configs: KObject[], namespaces: Record<string, Record<string, string>> = { default: {} }): WebhookDeps {
  return {
    configurations: () => configs,
    namespace: (n) => (namespaces[n] ? { metadata: { name: n, labels: namespaces[n] } } : undefined),
    versions: (t) => [{ type: t }],
    resolveService: () => ({ error: 'no endpoints available for service "x"' }),
  };
}

const config = (name: string, webhooks: Webhook[]): KObject => ({ metadata: { name }, webhooks });

function attrs(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes & { warnings: string[]; annotations: Record<string, string> } {
  const annotations: Record<string, string> = {};
  return {
    operation: 'CREATE', type: type('', 'configmaps'), subresource: '', namespace: 'default', name: 'cm',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1' } },
    user: { name: 'alice', groups: ['devs', 'system:authenticated'] }, dryRun: false, warnings: [],
    annotate: (k: string, v: string) => { annotations[k] = v; }, annotations,
    reinvocation: { isReinvoke: false, shouldReinvoke: false, values: new Map() }, ...over,
  } as never;
}

test('mutating: the AdmissionReview carries the request; the JSONPatch is applied in place; warnings and audit annotations kept', async () => {
  seen.length = 0;
  handler = ({ request }) => answer(request, {
    allowed: true, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }]),
    warnings: ['be careful'], auditAnnotations: { k: 'v' },
  });
  const p = newMutatingWebhookPlugin(deps([config('m', [hook('add-label.example.com')])]));
  const a = attrs();
  const obj = a.object!;
  await p.admit!(a);
  assert.equal(a.object, obj, 'same object, changed in place');
  assert.deepEqual(obj.metadata!.labels, { mutated: 'yes' });
  assert.deepEqual(a.warnings, ['be careful']);
  assert.equal(a.annotations['add-label.example.com/k'], 'v');
  assert.equal(a.annotations['mutation.webhook.admission.k8s.io/round_0_index_0'], '{"configuration":"m","webhook":"add-label.example.com","mutated":true}');
  const r = seen[0];
  assert.equal(r.path, '/add-label.example.com?timeout=10s');
  assert.deepEqual(r.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(r.resource, { group: '', version: 'v1', resource: 'configmaps' });
  assert.deepEqual(r.requestKind, r.kind);
  assert.equal(r.operation, 'CREATE');
  assert.equal(r.namespace, 'default');
  assert.equal(r.name, 'cm');
  assert.deepEqual(r.userInfo, { username: 'alice', groups: ['devs', 'system:authenticated'] });
  assert.equal(r.object.data.a, '1');
  assert.equal(r.oldObject, null);
  assert.equal(r.dryRun, false);
  assert.deepEqual(r.options, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' });
  assert.match(r.uid, /^[0-9a-f-]{36}$/);
  assert.equal((a.reinvocation as ReinvocationContext).shouldReinvoke, true, 'a change asks for reinvocation');
});

test('mutating: webhooks run in configuration-name order, each seeing the previous patch', async () => {
  seen.length = 0;
  handler = ({ request }) => {
    const n = Object.keys(request.object.metadata.labels ?? {}).length;
    return answer(request, { allowed: true, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: `/metadata/labels`, value: { ...request.object.metadata.labels, [`l${n}`]: request.uid.slice(0, 4) } }]) });
  };
  const p = newMutatingWebhookPlugin(deps([config('b', [hook('second.example.com')]), config('a', [hook('first.example.com')])]));
  const a = attrs();
  await p.admit!(a);
  assert.deepEqual(seen.map((s) => s.path.split('?')[0]), ['/first.example.com', '/second.example.com']);
  assert.deepEqual(Object.keys(a.object!.metadata!.labels!), ['l0', 'l1']);
});

test('reinvocation: an IfNeeded webhook runs again after a later webhook changed the object', async () => {
  seen.length = 0;
  handler = ({ request }) => {
    if (request.path === undefined && false) return {};
    const labels = request.object.metadata.labels ?? {};
    if (seen[seen.length - 1].path.startsWith('/second') && !labels.second) {
      return answer(request, { allowed: true, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: '/metadata/labels', value: { ...labels, second: 'x' } }]) });
    }
    return answer(request, { allowed: true });
  };
  const deps1 = deps([config('a', [hook('first.example.com', { reinvocationPolicy: 'IfNeeded' }), hook('second.example.com')])]);
  const p = newMutatingWebhookPlugin(deps1);
  const a = attrs();
  await p.admit!(a);
  assert.equal(a.reinvocation!.shouldReinvoke, true);
  a.reinvocation!.isReinvoke = true;
  await p.admit!(a);
  assert.deepEqual(seen.map((s) => s.path.split('?')[0]), ['/first.example.com', '/second.example.com', '/first.example.com']);
  // with Never, no second call
  seen.length = 0;
  const p2 = newMutatingWebhookPlugin(deps([config('a', [hook('first.example.com'), hook('second.example.com')])]));
  const b = attrs();
  await p2.admit!(b);
  b.reinvocation!.isReinvoke = true;
  await p2.admit!(b);
  assert.deepEqual(seen.map((s) => s.path.split('?')[0]), ['/first.example.com', '/second.example.com']);
});

test('denial: the webhook status code and upstream message; nothing else is called', async () => {
  seen.length = 0;
  handler = ({ request }) => answer(request, { allowed: false, status: { code: 403, message: 'labels required', reason: 'Forbidden' } });
  const p = newValidatingWebhookPlugin(deps([config('v', [hook('deny.example.com')])]));
  await assert.rejects(async () => p.validate!(attrs()), (e: StatusError) => {
    assert.equal(e.code, 403);
    assert.equal(e.message, 'admission webhook "deny.example.com" denied the request: labels required');
    return true;
  });
});

test('failure policy: Fail refuses with a 500 naming the webhook; Ignore goes on with a failed-open annotation', async () => {
  const down = (fp: 'Fail' | 'Ignore') => hook('down.example.com', { failurePolicy: fp, clientConfig: { url: 'https://127.0.0.1:1/x', caBundle } });
  await assert.rejects(async () => newValidatingWebhookPlugin(deps([config('v', [down('Fail')])])).validate!(attrs()), (e: StatusError) => {
    assert.equal(e.code, 500);
    assert.equal(e.reason, 'InternalError');
    assert.equal(e.message, 'Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused');
    return true;
  });
  const a = attrs();
  await newMutatingWebhookPlugin(deps([config('m', [down('Ignore')])])).admit!(a);
  assert.equal(a.annotations['failed-open.mutation.webhook.admission.k8s.io/round_0_index_0'], 'down.example.com');
  const v = attrs();
  await newValidatingWebhookPlugin(deps([config('v', [down('Ignore')])])).validate!(v);
  assert.equal(v.annotations['failed-open.validating.webhook.admission.k8s.io/round_0_index_0'], 'down.example.com');
});

test('bad answers: garbage JSON, wrong uid, invalid patch, unknown service', async () => {
  const run = async (h: Handler, mutating = true, over: Partial<Webhook> = {}) => {
    handler = h;
    const d = deps([config('c', [hook('bad.example.com', over)])]);
    const a = attrs();
    const before = structuredClone(a.object);
    try {
      if (mutating) await newMutatingWebhookPlugin(d).admit!(a); else await newValidatingWebhookPlugin(d).validate!(a);
    } catch (e) {
      assert.deepEqual(a.object, before, 'object untouched on failure');
      return e as StatusError;
    }
    assert.fail('expected a refusal');
  };
  let e = await run(() => 'this is not json');
  assert.equal(e.code, 500);
  assert.match(e.message, /^Internal error occurred: failed calling webhook "bad.example.com": failed to call webhook: couldn't get version\/kind; json parse error/);
  e = await run(({ request }) => answer({ ...request, uid: 'nope' }, { allowed: true }));
  assert.match(e.message, /failed calling webhook "bad.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "nope"$/);
  e = await run(({ request }) => answer(request, { allowed: true, patchType: 'JSONPatch', patch: b64([{ op: 'remove', path: '/spec/nothing' }]) }));
  assert.equal(e.code, 500);
  assert.match(e.message, /^Internal error occurred: /);
  e = await run(({ request }) => answer(request, { allowed: true, patchType: 'JSONPatch', patch: Buffer.from('{{{').toString('base64') }));
  assert.match(e.message, /received undecodable patch in webhook response/);
  e = await run(() => ({}), false, { clientConfig: { service: { namespace: 'ns', name: 'x', port: 443 }, caBundle } });
  assert.equal(e.message, 'Internal error occurred: failed calling webhook "bad.example.com": failed to call webhook: no endpoints available for service "x"');
  e = await run(() => 'hang', false, { timeoutSeconds: 1 });
  assert.match(e.message, /failed to call webhook: Post "https:\/\/127.0.0.1:\d+\/bad.example.com\?timeout=1s": context deadline exceeded$/);
});

test('selectors and matchConditions decide whether a webhook is called', async () => {
  seen.length = 0;
  handler = ({ request }) => answer(request, { allowed: true });
  const d = deps([config('c', [
    hook('ns.example.com', { namespaceSelector: { matchLabels: { team: 'a' } } }),
    hook('obj.example.com', { objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] } }),
    hook('cond.example.com', { matchConditions: [{ name: 'big', expression: "has(object.data.big) && request.userInfo.username == 'alice'" }] }),
  ])], { default: { team: 'b' }, teama: { team: 'a' } });
  const p = newValidatingWebhookPlugin(d);
  await p.validate!(attrs());
  assert.deepEqual(seen.map((s) => s.path.split('?')[0]), ['/obj.example.com']);
  seen.length = 0;
  await p.validate!(attrs({ namespace: 'teama', object: { metadata: { name: 'cm', labels: { skip: '1' } }, data: { big: 'x' } } }));
  assert.deepEqual(seen.map((s) => s.path.split('?')[0]).sort(), ['/cond.example.com', '/ns.example.com']);
  // a namespace that does not exist is a 404 when a namespaceSelector must be checked
  await assert.rejects(async () => p.validate!(attrs({ namespace: 'ghost' })), (e: StatusError) => e.code === 404 && e.message === 'namespaces "ghost" not found');
});

test('dry run: side effects other than None/NoneOnDryRun refuse with 400; dryRun is passed on', async () => {
  seen.length = 0;
  handler = ({ request }) => answer(request, { allowed: true });
  await assert.rejects(async () => newValidatingWebhookPlugin(deps([config('c', [hook('fx.example.com', { sideEffects: 'Some', failurePolicy: 'Ignore' })])])).validate!(attrs({ dryRun: true })),
    (e: StatusError) => e.code === 400 && e.message === 'admission webhook "fx.example.com" does not support dry run');
  assert.equal(seen.length, 0);
  await newValidatingWebhookPlugin(deps([config('c', [hook('ok.example.com', { sideEffects: 'NoneOnDryRun' })])])).validate!(attrs({ dryRun: true }));
  assert.equal(seen[0].dryRun, true);
  assert.deepEqual(seen[0].options.dryRun, ['All']);
});

test('matchPolicy: Equivalent reaches a rule naming another served version; Exact does not', async () => {
  seen.length = 0;
  handler = ({ request }) => answer(request, { allowed: true });
  const v2 = type('autoscaling', 'horizontalpodautoscalers');
  const v1 = builtinResources.find((t) => t.group === 'autoscaling' && t.version === 'v1' && t.resource === 'horizontalpodautoscalers')!;
  const rule = [{ operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['horizontalpodautoscalers'], scope: '*' }];
  const d = (policy: 'Exact' | 'Equivalent'): WebhookDeps => ({
    ...deps([config('c', [hook('eq.example.com', { rules: rule, matchPolicy: policy })])]),
    versions: () => [{ type: v2 }, { type: v1, convert: { fromStorage: (o: KObject) => ({ ...o, apiVersion: 'autoscaling/v1' }), toStorage: (o: KObject) => o } as never }],
  });
  const a = () => attrs({ type: v2, object: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' } } });
  await newValidatingWebhookPlugin(d('Exact')).validate!(a());
  assert.equal(seen.length, 0);
  await newValidatingWebhookPlugin(d('Equivalent')).validate!(a());
  assert.deepEqual(seen[0].kind, { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' });
  assert.deepEqual(seen[0].requestKind, { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' });
  assert.equal(seen[0].object.apiVersion, 'autoscaling/v1');
});

test('webhook configurations themselves are never sent to webhooks', async () => {
  seen.length = 0;
  handler = ({ request }) => answer(request, { allowed: false });
  const all = hook('all.example.com', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: '*' }] });
  await newValidatingWebhookPlugin(deps([config('c', [all])])).validate!(attrs({ type: type('admissionregistration.k8s.io', 'validatingwebhookconfigurations'), namespace: '' }));
  assert.equal(seen.length, 0);
});
