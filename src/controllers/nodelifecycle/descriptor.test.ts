import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import type { RESTClient } from '../../client/rest.js';
import type { ControllerContext } from '../manager/context.js';
import { descriptors, goDurationMs } from './descriptor.js';

test('goDurationMs reads Go durations including compound ones, and rejects others with the flag named', () => {
  assert.equal(goDurationMs('1m0s', 'x'), 60_000);
  assert.equal(goDurationMs('1h2m3s500ms', 'x'), 3_723_500);
  assert.equal(goDurationMs('6s', 'x'), 6000);
  assert.throws(() => goDurationMs('six', 'node-monitor-grace-period'), /invalid argument "six" for "--node-monitor-grace-period" flag/);
});

test('descriptors: upstream names, defaults, and bad flag values refused at start', () => {
  assert.deepEqual(descriptors.map((d) => d.name), ['node-lifecycle-controller', 'taint-eviction-controller', 'node-ipam-controller', 'pod-garbage-collector-controller']);
  const flags: Record<string, unknown> = {};
  for (const d of descriptors) for (const f of d.flags ?? []) flags[f.name] = f.default;
  assert.equal(flags['node-monitor-grace-period'], '50s');
  assert.equal(flags['cluster-cidr'], '10.244.0.0/16');
  assert.equal(flags['terminated-pod-gc-threshold'], 12500);
  const client = { request: async () => ({}) } as unknown as RESTClient;
  const ctx = (over: Record<string, unknown>) => ({ client, factory: new SharedInformerFactory(client), flags: { ...flags, ...over },
    recorder: () => ({ event() {} }), log() {}, debug() {} }) as unknown as ControllerContext;
  assert.equal(descriptors[0].start(ctx({})).name, 'node-lifecycle-controller');
  assert.throws(() => descriptors[0].start(ctx({ 'node-eviction-rate': 'fast' })), /invalid argument "fast" for "--node-eviction-rate" flag/);
  assert.throws(() => descriptors[2].start(ctx({ 'cluster-cidr': '10.0.0.0/8', 'node-cidr-mask-size': 30 })), /subNetMaskSize is too big/);
  assert.deepEqual(descriptors[2].start(ctx({ 'allocate-node-cidrs': false })).queues, [], 'allocation off: an idle controller');
});
