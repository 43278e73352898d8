import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../../client/informer.js';
import type { RESTClient } from '../../../client/rest.js';
import { TTLController } from './ttl.js';

function setup() {
  const calls: { method: string; path: string; body?: any; type?: string }[] = [];
  const client = { request: async (method: string, path: string, body?: any, type?: string) => { calls.push({ method, path, body, type }); return {}; } } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const ctl = new TTLController(client, factory);
  return { calls, ctl, nodes: factory.forPath<any>('/api/v1/nodes') };
}
const node = (i: number, ttl?: string) => ({ metadata: { name: `n${i}`, uid: `u${i}`, resourceVersion: String(i + 1), annotations: ttl === undefined ? {} : { 'node.alpha.kubernetes.io/ttl': ttl } } });

test('ttl: small clusters get 0, patched only when the annotation differs', async () => {
  const { calls, ctl, nodes } = setup();
  nodes.handle('ADDED', node(1));
  nodes.handle('ADDED', node(2, '0'));
  nodes.handle('ADDED', node(3, '15'));
  for (const n of [1, 2, 3]) await ctl.sync(`n${n}`);
  assert.deepEqual(calls.map((c) => c.path), ['/api/v1/nodes/n1', '/api/v1/nodes/n3']);
  assert.deepEqual(calls[0].body, { metadata: { annotations: { 'node.alpha.kubernetes.io/ttl': '0' } } });
  assert.equal(calls[0].type, 'application/strategic-merge-patch+json');
  ctl.stop();
});

test('ttl: boundaries step up past sizeMax and down only below the next step\'s sizeMin (hysteresis)', () => {
  const { ctl, nodes } = setup();
  for (let i = 0; i < 100; i++) nodes.handle('ADDED', node(i));
  assert.equal(ctl.desiredTTLSeconds, 0);
  nodes.handle('ADDED', node(100));
  assert.equal(ctl.desiredTTLSeconds, 15, '101 nodes');
  for (let i = 100; i >= 91; i--) nodes.handle('DELETED', node(i));
  assert.equal(ctl.desiredTTLSeconds, 15, '91 nodes: still in the 90–500 range');
  nodes.handle('DELETED', node(90));
  assert.equal(ctl.desiredTTLSeconds, 15, '90 nodes: the boundary itself still counts');
  nodes.handle('DELETED', node(89));
  assert.equal(ctl.desiredTTLSeconds, 0, '89 nodes');
  ctl.stop();
});
