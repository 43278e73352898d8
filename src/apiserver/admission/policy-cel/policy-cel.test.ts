import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../../../api/resources.js';
import type { KObject, ResourceType } from '../../../api/types.js';
import { StatusError } from '../../../machinery/errors.js';
import type { AdmissionAttributes } from '../../chain.js';
import type { ServedVersion } from '../webhook/dispatcher.js';
import { newValidatingAdmissionPolicyPlugin, type PolicyDeps } from './plugin.js';
import { compilePolicy, validate } from './evaluator.js';
import { collectParams, ConfigurationError } from './params.js';
import { matchResources } from './matching.js';
import { PolicyRequest } from './request.js';
import type { Binding, Policy, PolicySpec } from './types.js';

const type = (group: string, resource: string): ResourceType => builtinResources.find((t) => t.group === group && t.resource === resource)!;
const DEPLOY = type('apps', 'deployments');
const CM = type('', 'configmaps');

const namespaces: Record<string, KObject> = {
  default: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } } },
  prod: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod' }, managedFields: [{}] }, spec: { finalizers: ['kubernetes'] } },
};

const deployRule = { operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };

function policy(name: string, spec: Partial<PolicySpec>): Policy {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name, generation: 1 },
    spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [deployRule], matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} }, ...spec } };
}
function binding(name: string, policyName: string, over: Partial<NonNullable<Binding['spec']>> = {}): Binding {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
    spec: { policyName, validationActions: ['Deny'], ...over } };
}
const maxReplicas = policy('max-replicas', { validations: [{ expression: 'object.spec.replicas <= 5', message: 'replicas must be no greater than 5' }] });

const configMaps: KObject[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'default', labels: { policy: 'limits' } }, data: { max: '3' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits-b', namespace: 'default', labels: { policy: 'limits' } }, data: { max: '10' } },
];

function deps(policies: Policy[], bindings: Binding[], versions?: ServedVersion[]): PolicyDeps {
  return {
    policies: () => ({ policies, bindings }),
    namespace: (n) => namespaces[n],
    versions: (t) => versions ?? [{ type: t }],
    paramSource: (k) => (k.apiVersion === 'v1' && k.kind === 'ConfigMap' ? {
      namespaced: true,
      get: (ns, name) => configMaps.find((c) => c.metadata!.namespace === ns && c.metadata!.name === name),
      list: (ns) => configMaps.filter((c) => c.metadata!.namespace === ns),
    } : undefined),
  };
}

function deployment(replicas: number, over: Partial<KObject['metadata']> = {}): KObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', ...over }, spec: { replicas } };
}

function attrs(obj: KObject | undefined, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes & { warnings: string[]; annotations: Record<string, string> } {
  const annotations: Record<string, string> = {};
  return {
    operation: 'CREATE', type: DEPLOY, subresource: '', namespace: obj?.metadata?.namespace ?? 'default', name: obj?.metadata?.name ?? '',
    object: obj, user: { name: 'alice', groups: ['devs', 'system:authenticated'] }, dryRun: false, warnings: [],
    annotate: (k, v) => { annotations[k] = v; }, annotations, ...over,
  };
}

async function run(policies: Policy[], bindings: Binding[], a: AdmissionAttributes, versions?: ServedVersion[]): Promise<StatusError | undefined> {
  try { await newValidatingAdmissionPolicyPlugin(deps(policies, bindings, versions)).validate!(a); return undefined; } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
}

test('Deny: a failed validation refuses with upstream message, reason Invalid and code 422; passing objects are admitted', async () => {
  const b = binding('max-replicas-binding', 'max-replicas');
  assert.equal(await run([maxReplicas], [b], attrs(deployment(3))), undefined);
  const err = await run([maxReplicas], [b], attrs(deployment(7)));
  assert.equal(err?.code, 422);
  assert.equal(err?.reason, 'Invalid');
  assert.equal(err?.message, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5`);
  assert.deepEqual(err?.details, { name: 'web', group: 'apps', kind: 'deployments', causes: [{ message: `ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5` }] });
  // a policy without a binding does nothing; neither does a binding of a missing policy
  assert.equal(await run([maxReplicas], [], attrs(deployment(7))), undefined);
  assert.equal(await run([maxReplicas], [binding('b', 'other')], attrs(deployment(7))), undefined);
});

test('messages: messageExpression, then message, then the expression; reason picks the code', async () => {
  const b = [binding('b', 'p')];
  const msg = async (v: Record<string, string>) => (await run([policy('p', { validations: [{ expression: 'object.spec.replicas <= 5', ...v }] })], b, attrs(deployment(9))))!;
  assert.match((await msg({ messageExpression: '"replicas " + string(object.spec.replicas) + " > 5"', message: 'm' })).message, /denied request: replicas 9 > 5$/);
  assert.match((await msg({ messageExpression: '"  "', message: ' static ' })).message, /denied request: static$/, 'blank messageExpression falls back');
  assert.match((await msg({ messageExpression: 'object.spec.nope', message: 'static' })).message, /denied request: static$/, 'failing messageExpression falls back');
  assert.match((await msg({})).message, /denied request: failed expression: object\.spec\.replicas <= 5$/);
  for (const [reason, code] of [['Forbidden', 403], ['RequestEntityTooLarge', 413], ['Unauthorized', 401], ['Invalid', 422]] as const) {
    const e = await msg({ reason });
    assert.deepEqual([e.code, e.reason], [code, reason]);
  }
  // generateName when the name is not known yet
  const e = await run([maxReplicas], [binding('b', 'max-replicas')], attrs(deployment(9, { name: undefined, generateName: 'web-' }), { name: '' }));
  assert.match(e!.message, /^deployments\.apps "web-" is forbidden: /);
});

test('Warn and Audit: warnings and the validation_failure audit annotation instead of a refusal', async () => {
  const a = attrs(deployment(7));
  assert.equal(await run([maxReplicas], [binding('warn', 'max-replicas', { validationActions: ['Warn', 'Audit'] })], a), undefined);
  assert.deepEqual(a.warnings, [`Validation failed for ValidatingAdmissionPolicy 'max-replicas' with binding 'warn': replicas must be no greater than 5`]);
  assert.deepEqual(JSON.parse(a.annotations['validation.policy.admission.k8s.io/validation_failure']), [
    { message: 'replicas must be no greater than 5', policy: 'max-replicas', binding: 'warn', expressionIndex: 0, validationActions: ['Warn', 'Audit'] }]);
  // Deny + Audit: both
  const d = attrs(deployment(7));
  assert.equal((await run([maxReplicas], [binding('deny', 'max-replicas', { validationActions: ['Deny', 'Audit'] })], d))?.code, 422);
  assert.ok(d.annotations['validation.policy.admission.k8s.io/validation_failure']);
});

test('auditAnnotations are published as <policy>/<key>; duplicates across bindings collapse, distinct values join', async () => {
  const p = policy('audit', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    auditAnnotations: [{ key: 'replicas', valueExpression: '"max " + params.data.max' }, { key: 'none', valueExpression: 'null' }, { key: 'blank', valueExpression: '" "' }] });
  const a = attrs(deployment(1));
  await run([p], [binding('b1', 'audit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } }),
    binding('b2', 'audit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } }),
    binding('b3', 'audit', { paramRef: { name: 'limits-b', parameterNotFoundAction: 'Deny' } })], a);
  assert.deepEqual(a.annotations, { 'audit/replicas': 'max 3, max 10' });
  const bad = await run([policy('audit2', { auditAnnotations: [{ key: 'k', valueExpression: 'object.spec.replicas' }] })], [binding('b', 'audit2')], attrs(deployment(1)));
  assert.match(bad!.message, /valueExpression 'object.spec.replicas' resulted in unsupported return type: int\. Return type must be either string or null\.$/);
});

test('evaluation errors follow failurePolicy: Fail refuses with the CEL error, Ignore admits', async () => {
  const p = (failurePolicy: 'Fail' | 'Ignore') => policy('broken', { failurePolicy, validations: [{ expression: 'object.spec.missing > 1' }] });
  const e = await run([p('Fail')], [binding('b', 'broken')], attrs(deployment(1)));
  assert.equal(e?.code, 422);
  assert.equal(e?.message, `deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'broken' with binding 'b' denied request: expression 'object.spec.missing > 1' resulted in error: No such key: missing`);
  assert.equal(await run([p('Ignore')], [binding('b', 'broken')], attrs(deployment(1))), undefined);
  // Warn-only bindings turn an evaluation error into a warning
  const w = attrs(deployment(1));
  assert.equal(await run([p('Fail')], [binding('b', 'broken', { validationActions: ['Warn'] })], w), undefined);
  assert.match(w.warnings[0], /resulted in error: No such key: missing$/);
});

test('matchConstraints: operations, excludeResourceRules, resourceNames, namespaceSelector, objectSelector', async () => {
  const b = [binding('b', 'p')];
  const deny = (mc: Record<string, unknown>) => [policy('p', { matchConstraints: { resourceRules: [deployRule], matchPolicy: 'Equivalent', ...mc }, validations: [{ expression: 'false' }] })];
  assert.ok(await run(deny({}), b, attrs(deployment(1))));
  assert.equal(await run(deny({}), b, attrs(undefined, { operation: 'DELETE', name: 'web', oldObject: deployment(1) })), undefined, 'DELETE not in the rule');
  assert.equal(await run(deny({}), b, attrs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } }, { type: CM })), undefined);
  assert.equal(await run(deny({ excludeResourceRules: [{ ...deployRule, resourceNames: ['web'] }] }), b, attrs(deployment(1))), undefined);
  assert.ok(await run(deny({ excludeResourceRules: [{ ...deployRule, resourceNames: ['other'] }] }), b, attrs(deployment(1))));
  assert.equal(await run(deny({ resourceRules: [{ ...deployRule, resourceNames: ['other'] }] }), b, attrs(deployment(1))), undefined);
  const prodOnly = deny({ namespaceSelector: { matchLabels: { env: 'prod' } } });
  assert.equal(await run(prodOnly, b, attrs(deployment(1))), undefined);
  assert.ok(await run(prodOnly, b, attrs(deployment(1, { namespace: 'prod' }))));
  const labelled = deny({ objectSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } });
  assert.equal(await run(labelled, b, attrs(deployment(1))), undefined);
  assert.ok(await run(labelled, b, attrs(deployment(1, { labels: { tier: 'web' } }))));
  // the binding's matchResources narrows further
  const narrowed = [binding('b', 'p', { matchResources: { namespaceSelector: { matchLabels: { env: 'prod' } }, objectSelector: {}, matchPolicy: 'Equivalent' } })];
  assert.equal(await run(deny({}), narrowed, attrs(deployment(1))), undefined);
  assert.ok(await run(deny({}), narrowed, attrs(deployment(1, { namespace: 'prod' }))));
  // admission configuration objects are never subject to policies
  const anything = deny({ resourceRules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] });
  assert.equal(await run(anything, b, attrs({ metadata: { name: 'x' } }, { type: type('admissionregistration.k8s.io', 'validatingadmissionpolicies'), namespace: '' })), undefined);
});

test('matchPolicy Equivalent matches through another served version and shows the object in that version', () => {
  const v1: ServedVersion = { type: { ...DEPLOY, version: 'v1' } };
  const v9: ServedVersion = { type: { ...DEPLOY, version: 'v9' }, convert: { fromStorage: (o: KObject) => ({ ...o, apiVersion: 'apps/v9' }), toStorage: (o: KObject) => o } as never };
  const r = new PolicyRequest(attrs(deployment(1), { type: v1.type }), [v1, v9], (n) => namespaces[n]);
  const rules = { resourceRules: [{ ...deployRule, apiVersions: ['v9'] }] };
  assert.equal(matchResources({ ...rules, matchPolicy: 'Exact' }, r), undefined);
  const v = matchResources({ ...rules, matchPolicy: 'Equivalent' }, r);
  assert.equal(v, v9);
  assert.equal(r.versioned(v!).object?.apiVersion, 'apps/v9');
  // a missing namespace is an error only when the rules select the request
  const lost = new PolicyRequest(attrs(deployment(1, { namespace: 'gone' })), [v1], (n) => namespaces[n]);
  assert.throws(() => matchResources({ resourceRules: [deployRule], namespaceSelector: { matchLabels: { a: 'b' } } }, lost), /namespaces "gone" not found/);
  assert.equal(matchResources({ resourceRules: [{ ...deployRule, operations: ['DELETE'] }], namespaceSelector: { matchLabels: { a: 'b' } } }, lost), undefined);
});

test('params: by name, by selector (each evaluated), namespace defaulting, not found Allow/Deny, unknown paramKind', async () => {
  const p = policy('limit', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: '"at most " + params.data.max' }] });
  const byName = (name: string, action: 'Allow' | 'Deny' = 'Deny') => binding('b', 'limit', { paramRef: { name, parameterNotFoundAction: action } });
  assert.equal(await run([p], [byName('limits')], attrs(deployment(3))), undefined);
  assert.match((await run([p], [byName('limits')], attrs(deployment(4))))!.message, /denied request: at most 3$/);
  assert.equal(await run([p], [byName('nope', 'Allow')], attrs(deployment(40))), undefined);
  assert.match((await run([p], [byName('nope', 'Deny')], attrs(deployment(1))))!.message,
    /ValidatingAdmissionPolicy 'limit' with binding 'b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction$/);
  assert.equal(await run([{ ...p, spec: { ...p.spec, failurePolicy: 'Ignore' } }], [byName('nope', 'Deny')], attrs(deployment(1))), undefined);
  const sel = binding('b', 'limit', { paramRef: { selector: { matchLabels: { policy: 'limits' } }, parameterNotFoundAction: 'Deny' } });
  assert.match((await run([p], [sel], attrs(deployment(5))))!.message, /at most 3$/, 'every selected param must pass');
  assert.equal(await run([p], [sel], attrs(deployment(2))), undefined);
  assert.equal(await run([p], [binding('b', 'limit', { paramRef: { name: 'limits', namespace: 'prod', parameterNotFoundAction: 'Allow' } })], attrs(deployment(40))), undefined, 'paramRef.namespace wins');
  const unknown = policy('u', { paramKind: { apiVersion: 'example.com/v1', kind: 'Limit' }, validations: [{ expression: 'true' }] });
  assert.match((await run([unknown], [binding('b', 'u', { paramRef: { name: 'x', parameterNotFoundAction: 'Deny' } })], attrs(deployment(1))))!.message,
    /ValidatingAdmissionPolicy 'u' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com\/v1, Kind=Limit'$/);
  // no paramRef: params is null
  assert.equal(await run([policy('n', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'params == null' }] })], [binding('b', 'n')], attrs(deployment(1))), undefined);
  const source = { namespaced: true, get: () => undefined, list: () => [] };
  assert.throws(() => collectParams({ apiVersion: 'v1', kind: 'ConfigMap' }, source, { name: 'x' }, ''), (e) => e instanceof ConfigurationError
    && e.message === 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  assert.throws(() => collectParams({ apiVersion: 'v1', kind: 'Node' }, { ...source, namespaced: false }, { name: 'x', namespace: 'a' }, 'a'),
    /paramRef.namespace must not be provided for a cluster-scoped `paramKind`/);
});

test('CEL variables: request, namespaceObject (trimmed), oldObject; lazy `variables`; matchConditions', async () => {
  const b = [binding('b', 'p')];
  const check = (spec: Partial<PolicySpec>, a = attrs(deployment(1, { namespace: 'prod' }))) => run([policy('p', spec)], b, a);
  assert.equal(await check({ validations: [
    { expression: "request.operation == 'CREATE' && request.userInfo.username == 'alice' && 'devs' in request.userInfo.groups" },
    { expression: "request.kind.kind == 'Deployment' && request.resource.resource == 'deployments' && request.namespace == 'prod' && request.name == 'web' && request.dryRun == false" },
    { expression: "namespaceObject.metadata.labels.env == 'prod' && !has(namespaceObject.metadata.managedFields) && namespaceObject.spec.finalizers == ['kubernetes']" },
    { expression: 'oldObject == null && object.metadata.name == "web"' },
  ] }), undefined);
  // a variable that fails is harmless until used; used, its error is the expression's
  const vars = [{ name: 'replicas', expression: 'object.spec.replicas' }, { name: 'broken', expression: 'object.spec.nope' },
    { name: 'double', expression: 'variables.replicas * 2' }];
  assert.equal(await check({ variables: vars, validations: [{ expression: 'variables.double == 2' }] }), undefined);
  const e = await check({ variables: vars, validations: [{ expression: 'variables.broken == 1' }] });
  assert.match(e!.message, /expression 'variables.broken == 1' resulted in error: .*No such key: nope/);
  // matchConditions: false skips the policy; an error refuses under Fail
  assert.equal(await check({ matchConditions: [{ name: 'big', expression: 'object.spec.replicas > 3' }], validations: [{ expression: 'false' }] }), undefined);
  assert.ok(await check({ matchConditions: [{ name: 'small', expression: 'object.spec.replicas < 3' }], validations: [{ expression: 'false' }] }));
  const mc = await check({ matchConditions: [{ name: 'x', expression: 'object.spec.nope' }], validations: [{ expression: 'true' }] });
  assert.match(mc!.message, /denied request: expression 'object.spec.nope' resulted in error: No such key: nope$/);
  // a namespaced request in a namespace that does not exist
  const lost = await check({ validations: [{ expression: 'true' }] }, attrs(deployment(1, { namespace: 'gone' })));
  assert.equal(lost?.code, 404);
});

test('evaluator: compiled once per policy object; a compile error is an evaluation error', () => {
  const p = policy('p', { validations: [{ expression: 'object.((' }] });
  const c = compilePolicy(p);
  assert.equal(compilePolicy(p), c);
  const r = validate(c, { object: {}, oldObject: null, request: {}, params: null, namespaceObject: null });
  assert.equal(r.decisions[0].action, 'deny');
  assert.equal(r.decisions[0].evaluation, 'error');
  assert.match(r.decisions[0].message, /^compilation error: /);
});
