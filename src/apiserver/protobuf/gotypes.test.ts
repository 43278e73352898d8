import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatMicroTime, formatTime, toBigInt, toNumber } from './gotypes.js';
import { messageCandidates, packageOfGroup, splitApiVersion } from './kinds.js';

const S = 1_000_000_000n;

test('formatDuration matches time.Duration.String', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(1), '1ns');
  assert.equal(formatDuration(999), '999ns');
  assert.equal(formatDuration(1500), '1.5µs');
  assert.equal(formatDuration(500_000), '500µs');
  assert.equal(formatDuration(1_500_000), '1.5ms');
  assert.equal(formatDuration(S), '1s');
  assert.equal(formatDuration(S + S / 2n), '1.5s');
  assert.equal(formatDuration(90n * S), '1m30s');
  assert.equal(formatDuration(120n * S), '2m0s');
  assert.equal(formatDuration(3600n * S), '1h0m0s');
  assert.equal(formatDuration(3723n * S + 1n), '1h2m3.000000001s');
  assert.equal(formatDuration(-123n * S), '-2m3s');
  assert.equal(formatDuration('9223372036854775807'), '2562047h47m16.854775807s');
});

test('formatTime: whole seconds in UTC, Go zero time is null, nanos never shown', () => {
  assert.equal(formatTime(0), '1970-01-01T00:00:00Z');
  assert.equal(formatTime(1700000000), '2023-11-14T22:13:20Z');
  assert.equal(formatTime('-62135596800'), null);
  assert.equal(formatTime(-1), '1969-12-31T23:59:59Z');
  assert.throws(() => formatTime(1e17), RangeError);
});

test('formatMicroTime: six digits, truncated, nanos normalised like time.Unix', () => {
  assert.equal(formatMicroTime(1700000000, 0), '2023-11-14T22:13:20.000000Z');
  assert.equal(formatMicroTime(1700000000, 123456999), '2023-11-14T22:13:20.123456Z');
  assert.equal(formatMicroTime(0, -1000), '1969-12-31T23:59:59.999999Z');
  assert.equal(formatMicroTime(0, 1_500_000_000), '1970-01-01T00:00:01.500000Z');
  assert.equal(formatMicroTime(-62135596800, 0), null);
});

test('int64 helpers accept Long-like objects', () => {
  const long = { toString: () => '42' };
  assert.equal(toNumber(long), 42);
  assert.equal(toBigInt(long), 42n);
  assert.equal(toBigInt(undefined), 0n);
  assert.equal(toNumber(7), 7);
});

test('API groups map to the Go package of their messages', () => {
  assert.equal(packageOfGroup(''), 'core');
  assert.equal(packageOfGroup('apps'), 'apps');
  assert.equal(packageOfGroup('rbac.authorization.k8s.io'), 'rbac');
  assert.equal(packageOfGroup('internal.apiserver.k8s.io'), 'apiserverinternal');
  assert.equal(packageOfGroup('flowcontrol.apiserver.k8s.io'), 'flowcontrol');
  assert.equal(packageOfGroup('networking.k8s.io'), 'networking');
  assert.deepEqual(splitApiVersion('v1'), { group: '', version: 'v1' });
  assert.deepEqual(splitApiVersion('apps/v1'), { group: 'apps', version: 'v1' });
});

test('message candidates', () => {
  assert.deepEqual(messageCandidates('v1', 'Pod'), ['k8s.io.api.core.v1.Pod']);
  assert.deepEqual(messageCandidates('apps/v1', 'DeleteOptions'),
    ['k8s.io.api.apps.v1.DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
  assert.deepEqual(messageCandidates('meta.k8s.io/v1', 'Table'), ['k8s.io.apimachinery.pkg.apis.meta.v1.Table']);
  assert.deepEqual(messageCandidates('metrics.k8s.io/v1beta1', 'NodeMetrics'),
    ['k8s.io.api.metrics.v1beta1.NodeMetrics', 'k8s.io.metrics.pkg.apis.metrics.v1beta1.NodeMetrics']);
  // nothing that could walk the protobufjs namespace tree
  assert.deepEqual(messageCandidates('v1', 'a.b'), []);
  assert.deepEqual(messageCandidates('apps/', 'Deployment'), []);
  assert.deepEqual(messageCandidates('v1', ''), []);
});
