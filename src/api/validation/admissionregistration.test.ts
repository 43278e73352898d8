import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from './index.js';
import { applyDefaults } from '../defaults/index.js';
import { printerFor } from '../printers/index.js';

const G = 'admissionregistration.k8s.io';
const hook = (over: Record<string, unknown> = {}) => ({
  name: 'hook.example.com', clientConfig: { url: 'https://127.0.0.1:8443/x' }, sideEffects: 'None', admissionReviewVersions: ['v1'],
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }], ...over,
});
const cfg = (...webhooks: unknown[]) => ({ apiVersion: `${G}/v1`, kind: 'ValidatingWebhookConfiguration', metadata: { name: 'c' }, webhooks });
const msgs = (o: unknown, resource = 'validatingwebhookconfigurations', old?: unknown) =>
  validate(G, resource, o as never, old as never, false).map((e) => `${e.field}: ${e.message}`);

test('a valid configuration passes; defaults as upstream', () => {
  const o = cfg(hook({ clientConfig: { service: { namespace: 'ns', name: 'svc' } } }));
  assert.deepEqual(msgs(o), []);
  applyDefaults(G, 'mutatingwebhookconfigurations', o as never);
  const w = (o.webhooks as Record<string, any>[])[0];
  assert.equal(w.failurePolicy, 'Fail');
  assert.equal(w.matchPolicy, 'Equivalent');
  assert.equal(w.timeoutSeconds, 10);
  assert.equal(w.reinvocationPolicy, 'Never');
  assert.deepEqual(w.namespaceSelector, {});
  assert.deepEqual(w.objectSelector, {});
  assert.equal(w.rules[0].scope, '*');
  assert.equal(w.clientConfig.service.port, 443);
});

test('webhook fields are checked with upstream messages', () => {
  assert.deepEqual(msgs(cfg(hook({ name: 'short.name' }))), ['webhooks[0].name: Invalid value: "short.name": should be a domain with at least three segments separated by dots']);
  assert.deepEqual(msgs(cfg(hook({ sideEffects: undefined }))), ['webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun']);
  assert.deepEqual(msgs(cfg(hook({ sideEffects: 'Some' }))), ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"']);
  assert.deepEqual(msgs(cfg(hook({ timeoutSeconds: 31 }))), ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds']);
  assert.deepEqual(msgs(cfg(hook({ clientConfig: {} }))), ['webhooks[0].clientConfig: Required value: exactly one of url or service is required']);
  assert.deepEqual(msgs(cfg(hook({ clientConfig: { url: 'http://x.example.com/' } }))), ['webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]']);
  assert.deepEqual(msgs(cfg(hook({ clientConfig: { url: 'https://x.example.com/?a=b' } }))), ['webhooks[0].clientConfig.url: Invalid value: "a=b": query parameters are not permitted in the URL']);
  assert.deepEqual(msgs(cfg(hook({ admissionReviewVersions: [] }))), ['webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1']);
  assert.deepEqual(msgs(cfg(hook({ admissionReviewVersions: ['v2'] }))), ['webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1']);
  assert.deepEqual(msgs(cfg(hook({ failurePolicy: 'Maybe' }))), ['webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"']);
  assert.deepEqual(msgs(cfg(hook(), hook())), ['webhooks[1].name: Duplicate value: "hook.example.com"']);
  assert.deepEqual(msgs(cfg(hook({ rules: [{ operations: ['*', 'CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['*/*', 'pods'] }] }))), [
    'webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if \'*\' is present, must not specify other operations',
    'webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "pods"}: if \'*/*\' is present, must not specify other resources',
  ]);
  assert.deepEqual(msgs(cfg(hook({ rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Galaxy' }] }))),
    ['webhooks[0].rules[0].scope: Unsupported value: "Galaxy": supported values: "*", "Cluster", "Namespaced"']);
  assert.deepEqual(msgs(cfg(hook({ clientConfig: { service: { namespace: 'ns', name: 'svc', port: 0, path: 'x' } } }))), [
    'webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive',
    'webhooks[0].clientConfig.service.path: Invalid value: "x": must start with a \'/\'',
    // upstream drops the first character before splitting, so "x" also has an empty first segment
    'webhooks[0].clientConfig.service.path: Invalid value: "x": segment[0] may not be empty',
  ]);
  const mc = msgs(cfg(hook({ matchConditions: [{ name: 'a', expression: 'object.((' }, { name: 'a', expression: 'true' }, { name: '', expression: ' ' }] })));
  assert.match(mc[0], /^webhooks\[0\]\.matchConditions\[0\]\.expression: Invalid value: "object\.\(\(": compilation failed: ERROR: <input>:1:8: Syntax error: /);
  assert.deepEqual(mc.slice(1), [
    'webhooks[0].matchConditions[1].name: Duplicate value: "a"',
    'webhooks[0].matchConditions[2].expression: Required value',
    'webhooks[0].matchConditions[2].name: Required value',
  ]);
  assert.deepEqual(msgs({ ...cfg(hook({ reinvocationPolicy: 'Always' })), kind: 'MutatingWebhookConfiguration' }, 'mutatingwebhookconfigurations'),
    ['webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"']);
});

test('an update keeps side effects an older object already had', () => {
  const withRV = (o: ReturnType<typeof cfg>) => ({ ...o, metadata: { name: 'c', resourceVersion: '5' } });
  const old = withRV(cfg(hook({ sideEffects: 'Some' })));
  assert.deepEqual(msgs(withRV(cfg(hook({ sideEffects: 'Some' }))), 'validatingwebhookconfigurations', old), []);
  assert.equal(msgs(withRV(cfg(hook({ sideEffects: 'Some' }))), 'validatingwebhookconfigurations', withRV(cfg(hook()))).length, 1);
});

test('policies and bindings: required fields', () => {
  const vap = { metadata: { name: 'p' }, spec: {} };
  assert.deepEqual(msgs(vap, 'validatingadmissionpolicies'), [
    'spec.failurePolicy: Required value',
    'spec.matchConstraints: Required value',
    'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
  ]);
  assert.deepEqual(msgs({ metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny', 'Warn'] } }, 'validatingadmissionpolicybindings'),
    ['spec.validationActions: Invalid value: ["Deny","Warn"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)']);
});

test('policy expressions compile in the admission environment: undeclared references, params only with a paramKind, result types', () => {
  const policy = (spec: Record<string, unknown>) => ({ metadata: { name: 'p' }, spec: {
    failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ operations: ['CREATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] }] }, ...spec } });
  assert.deepEqual(msgs(policy({ validations: [
    { expression: 'object.spec.replicas <= 5 && namespaceObject.metadata.name != "" && variables.x', messageExpression: '"too many: " + string(object.spec.replicas)' },
    { expression: 'foo.bar' },
    { expression: 'params.max > 1' },
    { expression: '"yes"' },
    { expression: 'true', messageExpression: '1 + 1' },
  ], auditAnnotations: [{ key: '', valueExpression: 'object.((' }] }), 'validatingadmissionpolicies'), [
    'spec.validations[1].expression: Invalid value: "foo.bar": compilation failed: ERROR: <input>:1:1: undeclared reference to \'foo\' (in container \'\')',
    'spec.validations[2].expression: Invalid value: "params.max > 1": compilation failed: ERROR: <input>:1:1: undeclared reference to \'params\' (in container \'\')',
    'spec.validations[3].expression: Invalid value: "\\"yes\\"": must evaluate to bool',
    'spec.validations[4].messageExpression: Invalid value: "1 + 1": must evaluate to string',
    'spec.auditAnnotations[0].key: Required value',
    'spec.auditAnnotations[0].valueExpression: Invalid value: "object.((": compilation failed: ERROR: <input>:1:8: Syntax error: Expected IDENTIFIER, got LPAREN',
  ]);
  assert.deepEqual(msgs(policy({ paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'int(params.data.max) >= object.spec.replicas' }] }), 'validatingadmissionpolicies'), []);
});

test('tables: NAME, WEBHOOKS, AGE', () => {
  const p = printerFor(G, 'validatingwebhookconfigurations');
  assert.deepEqual(p.columns.map((c) => c.name), ['Name', 'Webhooks', 'Age']);
  const now = Date.parse('2024-01-01T00:10:00Z');
  assert.deepEqual(p.cells({ metadata: { name: 'c', creationTimestamp: '2024-01-01T00:00:00Z' }, webhooks: [{}, {}] }, now), ['c', 2, '10m']);
  const vp = printerFor(G, 'validatingadmissionpolicies');
  assert.deepEqual(vp.cells({ metadata: { name: 'p' }, spec: { validations: [{}], paramKind: { apiVersion: 'v1', kind: 'ConfigMap' } } }, now).slice(0, 3), ['p', 1, 'v1/ConfigMap']);
});
