import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isDNS1123Subdomain, isDNS1123Label, isDNS1035Label, isQualifiedName, isValidLabelValue, isCIdentifier,
  isConfigMapKey, isEnvVarName, isValidPortName, isValidPortNum, isValidIP, isValidPathSegmentName,
  validateObjectMeta, validateObjectMetaUpdate, nameIsPathSegment, nameIsDNSLabel, deepEqual,
} from './validation.js';
import { fieldErrorText } from './errors.js';

test('DNS-1123 subdomain: upstream message, length', () => {
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('Example'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.equal(isDNS1123Subdomain('-a').length, 1);
  assert.equal(isDNS1123Subdomain('a..b').length, 1);
});

test('DNS-1123 label: dots and regex message with double-spaced examples', () => {
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('My_Name'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('DNS-1035 label must start with a letter', () => {
  assert.deepEqual(isDNS1035Label('web'), []);
  assert.match(isDNS1035Label('1web')[0], /^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
});

test('qualified names (label keys)', () => {
  assert.deepEqual(isQualifiedName('app'), []);
  assert.deepEqual(isQualifiedName('example.com/My_Name.1'), []);
  assert.deepEqual(isQualifiedName('/a'), ['prefix part must be non-empty']);
  assert.match(isQualifiedName('Bad_/x')[0], /^prefix part a lowercase RFC 1123 subdomain/);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e.g. 'example.com\/MyName'\)$/);
  const empty = isQualifiedName('a/');
  assert.equal(empty[0], 'name part must be non-empty');
  assert.match(empty[1], /^name part must consist of alphanumeric characters/);
  assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.equal(isQualifiedName('-x').length, 1);
});

test('label values', () => {
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_3-x'), []);
  assert.match(isValidLabelValue('bad value')[0], /^a valid label must be an empty string or consist of alphanumeric characters/);
  assert.equal(isValidLabelValue('a'.repeat(64))[0], 'must be no more than 63 characters');
});

test('C identifiers, config map keys, env var names, ports, IPs, path segments', () => {
  assert.deepEqual(isCIdentifier('MY_VAR'), []);
  assert.match(isCIdentifier('1x')[0], /^a valid C identifier/);
  assert.deepEqual(isConfigMapKey('app.properties'), []);
  assert.match(isConfigMapKey('a/b')[0], /^a valid config key must consist of alphanumeric characters, '-', '_' or '.'/);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.deepEqual(isConfigMapKey('.'), ["must not be '.'"]);
  assert.deepEqual(isEnvVarName('MY.ENV-1'), []);
  assert.match(isEnvVarName('1X')[0], /must not start with a digit/);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
  assert.ok(isValidPortName('a--b').includes('must not contain consecutive hyphens'));
  assert.ok(isValidPortName('abcdefghijklmnop').includes('must be no more than 15 characters'));
  assert.deepEqual(isValidPortNum(80), []);
  assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
  assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
  assert.ok(isValidIP('10.0.0.1') && isValidIP('2001:db8::1') && isValidIP('::1'));
  assert.ok(!isValidIP('10.0.0.256') && !isValidIP('1:2:3') && !isValidIP('abc'));
  assert.deepEqual(isValidPathSegmentName('system:admin'), []);
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
  assert.deepEqual(isValidPathSegmentName('a/b%'), ["may not contain '/'", "may not contain '%'"]);
});

test('validateObjectMeta: names, namespace, labels, annotations, finalizers, owners', () => {
  assert.deepEqual(validateObjectMeta({ name: 'web', namespace: 'default', labels: { app: 'web' } }, { namespaced: true }), []);
  const texts = (errs: ReturnType<typeof validateObjectMeta>) => errs.map(fieldErrorText);

  assert.deepEqual(texts(validateObjectMeta({ namespace: 'default' }, { namespaced: true })),
    ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(texts(validateObjectMeta({ name: 'x' }, { namespaced: true })), ['metadata.namespace: Required value']);
  assert.deepEqual(texts(validateObjectMeta({ name: 'x', namespace: 'a' }, { namespaced: false })),
    ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.match(texts(validateObjectMeta({ name: 'Web', namespace: 'd' }, { namespaced: true }))[0],
    /^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain/);
  assert.match(texts(validateObjectMeta({ name: 'x', namespace: 'a.b' }, { namespaced: true }))[0],
    /^metadata\.namespace: Invalid value: "a.b": must not contain dots/);
  // generateName may end in '-'
  assert.deepEqual(validateObjectMeta({ name: 'web-abcde', generateName: 'web-', namespace: 'd' }, { namespaced: true }), []);
  assert.equal(validateObjectMeta({ name: 'x', generateName: 'Web-', namespace: 'd' }, { namespaced: true })[0].field, 'metadata.generateName');
  // RBAC-style names
  assert.deepEqual(validateObjectMeta({ name: 'system:controller:x' }, { namespaced: false, nameFn: nameIsPathSegment }), []);
  assert.match(texts(validateObjectMeta({ name: 'a/b' }, { namespaced: false, nameFn: nameIsPathSegment }))[0], /may not contain '\/'/);

  const bad = validateObjectMeta({
    name: 'x', namespace: 'd', labels: { 'bad key!': 'ok', good: 'bad value' },
    annotations: { big: 'x'.repeat(256 * 1024) }, finalizers: ['a/b/c'],
    ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }],
  }, { namespaced: true });
  const t = texts(bad);
  assert.ok(t.some((s) => s.startsWith('metadata.labels: Invalid value: "bad key!": name part must consist of')), t.join('\n'));
  assert.ok(t.some((s) => s.startsWith('metadata.labels: Invalid value: "bad value": a valid label must be')));
  assert.ok(t.includes('metadata.annotations: Too long: may not be more than 262144 bytes'));
  assert.ok(t.some((s) => s.startsWith('metadata.finalizers: Invalid value: "a/b/c": a qualified name')));
  assert.ok(t.includes('metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty'));
  assert.ok(t.includes('metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'));

  const twoControllers = validateObjectMeta({ name: 'x', namespace: 'd', ownerReferences: [
    { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
    { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true }] }, { namespaced: true });
  assert.match(texts(twoControllers)[0], /Only one reference can have Controller set to true/);
  assert.equal(validateObjectMeta({ name: 'x', finalizers: ['orphan', 'foregroundDeletion'] }, { namespaced: false }).length, 1);
  assert.equal(validateObjectMeta({ name: 'x.y' }, { namespaced: false, nameFn: nameIsDNSLabel }).length, 1);
});

test('validateObjectMetaUpdate: immutable identity fields', () => {
  const old = { name: 'x', namespace: 'd', uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old), []);
  const texts = validateObjectMetaUpdate({ ...old, name: 'y', uid: 'u2', resourceVersion: '' }, old).map(fieldErrorText);
  assert.ok(texts.includes('metadata.resourceVersion: Invalid value: "": must be specified for an update'));
  assert.ok(texts.includes('metadata.name: Invalid value: "y": field is immutable'));
  assert.ok(texts.includes('metadata.uid: Invalid value: "u2": field is immutable'));
  const deleting = { ...old, deletionTimestamp: '2024-01-02T00:00:00Z', finalizers: ['a.io/x'] };
  const f = validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y'] }, deleting).map(fieldErrorText);
  assert.deepEqual(f, ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}']);
});

test('deepEqual ignores key order and undefined', () => {
  assert.ok(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined }));
  assert.ok(!deepEqual({ a: 1 }, { a: '1' }));
  assert.ok(!deepEqual([1, 2], [2, 1]));
});
