// ValidatingAdmissionPolicy end to end: a policy denying Deployments with more than 5 replicas
// (binding Deny → 422 with upstream's message; Warn → a Warning kubectl prints), params from a
// ConfigMap, a binding narrowed by namespaceSelector, an expression that errors under failurePolicy
// Fail and Ignore, a policy that does not compile refused at create, status.observedGeneration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let s;
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); s?.cleanup(); });

const API = '/apis/admissionregistration.k8s.io/v1';
const deployRule = { operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };

async function create(path, body) {
  const r = await s.request('POST', path, { body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const policy = (name, spec) => create(`${API}/validatingadmissionpolicies`, {
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
  spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [deployRule] }, ...spec } });
const binding = (name, policyName, spec = {}) => create(`${API}/validatingadmissionpolicybindings`, {
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
  spec: { policyName, validationActions: ['Deny'], ...spec } });
const remove = async (kind, name) => { await s.request('DELETE', `${API}/${kind}/${name}`); };

function deployment(name, replicas, ns = 'default', labels = { app: name }) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
}
const createDeployment = (d) => s.request('POST', `/apis/apps/v1/namespaces/${d.metadata.namespace}/deployments`, { body: d });

test('Deny: replicas > 5 is refused with 422 and upstream\'s message; kubectl shows it; status.observedGeneration is set', async () => {
  await policy('max-replicas', { validations: [{ expression: 'object.spec.replicas <= 5', message: 'replicas must be no greater than 5' }] });
  await binding('max-replicas-binding', 'max-replicas');
  let r = await createDeployment(deployment('small', 3));
  assert.equal(r.status, 201, r.text);
  r = await createDeployment(deployment('big', 7));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.reason, 'Invalid');
  const msg = `ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5`;
  assert.equal(r.json.message, `deployments.apps "big" is forbidden: ${msg}`);
  assert.deepEqual(r.json.details, { name: 'big', group: 'apps', kind: 'deployments', causes: [{ message: msg }] });
  assert.equal((await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/big')).status, 404, 'nothing stored');
  // an update is checked too
  const k = await s.kubectl(['scale', 'deployment/small', '--replicas=9']);
  assert.equal(k.code, 0, 'the scale subresource is not matched by "deployments"');
  const patch = await s.kubectl(['patch', 'deployment/small', '--type=merge', '-p', '{"spec":{"replicas":8}}']);
  assert.notEqual(patch.code, 0);
  assert.match(patch.stderr, /ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5/);
  // observedGeneration follows the policy's generation
  let p;
  for (let i = 0; i < 50; i++) {
    p = (await s.request('GET', `${API}/validatingadmissionpolicies/max-replicas`)).json;
    if (p.status?.observedGeneration === p.metadata.generation) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(p.status.observedGeneration, 1);
  await remove('validatingadmissionpolicybindings', 'max-replicas-binding');
});

test('Warn: the request succeeds and kubectl prints the warning', async () => {
  await binding('max-replicas-warn', 'max-replicas', { validationActions: ['Warn'] });
  const d = deployment('warned', 6);
  const k = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify(d) });
  assert.equal(k.code, 0, k.stderr);
  assert.match(k.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-warn': replicas must be no greater than 5/);
  await remove('validatingadmissionpolicybindings', 'max-replicas-warn');
});

test('params from a ConfigMap (paramRef name), with parameterNotFoundAction Deny and Allow', async () => {
  await create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'replica-limit' }, data: { max: '2' } });
  await policy('replica-limit', {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'replicas must be at most ' + params.data.max", reason: 'Forbidden' }],
  });
  await binding('replica-limit', 'replica-limit', { paramRef: { name: 'replica-limit', parameterNotFoundAction: 'Deny' } });
  let r = await createDeployment(deployment('p-ok', 2));
  assert.equal(r.status, 201, r.text);
  r = await createDeployment(deployment('p-big', 3));
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.reason, 'Forbidden');
  assert.match(r.json.message, /denied request: replicas must be at most 2$/);
  // the param changes: the next request sees it
  const u = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/replica-limit', { body: { data: { max: '4' } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(u.status, 200, u.text);
  r = await createDeployment(deployment('p-big', 3));
  assert.equal(r.status, 201, r.text);
  // a namespace without the ConfigMap: Deny refuses
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'noparams' } });
  r = await createDeployment(deployment('p-none', 1, 'noparams'));
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.message, /ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/);
  // Allow skips the binding
  const b = (await s.request('GET', `${API}/validatingadmissionpolicybindings/replica-limit`)).json;
  b.spec.paramRef.parameterNotFoundAction = 'Allow';
  assert.equal((await s.request('PUT', `${API}/validatingadmissionpolicybindings/replica-limit`, { body: b })).status, 200);
  r = await createDeployment(deployment('p-none', 1, 'noparams'));
  assert.equal(r.status, 201, r.text);
  await remove('validatingadmissionpolicybindings', 'replica-limit');
});

test('namespaceSelector: only namespaces with the label are checked', async () => {
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'strict', labels: { policy: 'strict' } } });
  await binding('max-replicas-strict', 'max-replicas', { matchResources: { namespaceSelector: { matchLabels: { policy: 'strict' } } } });
  let r = await createDeployment(deployment('ns-big', 7, 'default'));
  assert.equal(r.status, 201, r.text);
  r = await createDeployment(deployment('ns-big', 7, 'strict'));
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.message, /binding 'max-replicas-strict' denied request/);
  await remove('validatingadmissionpolicybindings', 'max-replicas-strict');
});

test('an expression that errors: failurePolicy Fail refuses, Ignore admits', async () => {
  await policy('broken', { validations: [{ expression: 'object.spec.nothere > 1' }], matchConstraints: { resourceRules: [deployRule], objectSelector: { matchLabels: { broken: 'yes' } } } });
  await binding('broken', 'broken');
  const d = deployment('err', 1, 'default', { app: 'err', broken: 'yes' });
  let r = await createDeployment(d);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.message, `deployments.apps "err" is forbidden: ValidatingAdmissionPolicy 'broken' with binding 'broken' denied request: expression 'object.spec.nothere > 1' resulted in error: No such key: nothere`);
  const p = (await s.request('GET', `${API}/validatingadmissionpolicies/broken`)).json;
  p.spec.failurePolicy = 'Ignore';
  assert.equal((await s.request('PUT', `${API}/validatingadmissionpolicies/broken`, { body: p })).status, 200);
  r = await createDeployment(d);
  assert.equal(r.status, 201, r.text);
});

test('a policy that does not compile is refused at create with upstream\'s message', async () => {
  const r = await s.request('POST', `${API}/validatingadmissionpolicies`, { body: {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'bad' },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [deployRule] }, validations: [{ expression: 'object.spec.replicas <' }, { expression: 'nope.x == 1' }] } } });
  assert.equal(r.status, 422, r.text);
  assert.match(r.json.message, /^ValidatingAdmissionPolicy\.admissionregistration\.k8s\.io "bad" is invalid: \[spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <": compilation failed: ERROR: <input>:1:\d+: Syntax error: .*, spec\.validations\[1\]\.expression: Invalid value: "nope\.x == 1": compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' \(in container ''\)\]$/);
  const k = await s.kubectl(['get', 'validatingadmissionpolicies']);
  assert.doesNotMatch(k.stdout, /\nbad\s/);
});
