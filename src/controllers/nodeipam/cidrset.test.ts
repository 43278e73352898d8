import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import type { RESTClient } from '../../client/rest.js';
import { CIDRSet, ERR_NO_CIDRS_REMAINING, parseCIDR } from './cidrset.js';
import { NodeIpamController } from './controller.js';

test('CIDRSet hands out /24s of 10.244.0.0/16 in order, skips occupied ones, reuses released ones after wrapping', () => {
  const s = new CIDRSet('10.244.0.0/16', 24);
  assert.equal(s.maxCIDRs, 256);
  assert.equal(s.allocateNext(), '10.244.0.0/24');
  s.occupy('10.244.1.0/24');
  assert.equal(s.allocateNext(), '10.244.2.0/24');
  s.release('10.244.0.0/24');
  assert.equal(s.allocateNext(), '10.244.3.0/24', 'round-robin: the released one is not reused at once');
  assert.equal(s.allocated, 3);
  assert.equal(s.isUsed('10.244.0.0/24'), false);
});

test('CIDRSet exhaustion, out-of-range occupy and bad arguments', () => {
  const s = new CIDRSet('10.0.0.0/30', 31);
  s.allocateNext();
  s.allocateNext();
  assert.throws(() => s.allocateNext(), { message: ERR_NO_CIDRS_REMAINING });
  assert.throws(() => s.occupy('192.168.0.0/24'), /cidr 192.168.0.0\/24 is out the range of cluster cidr 10.0.0.0\/30/);
  assert.throws(() => new CIDRSet('10.0.0.0/8', 25), /subNetMaskSize is too big/);
  assert.throws(() => new CIDRSet('10.244.0.0/16', 8), /invalid node CIDR mask size/);
  assert.throws(() => parseCIDR('10.244.0.300/16'), /invalid CIDR address/);
  assert.throws(() => parseCIDR('fd00::/64'), /invalid CIDR address/);
  assert.deepEqual(parseCIDR('10.244.7.9/16'), { base: parseCIDR('10.244.0.0/16').base, prefix: 16 }, 'host bits masked');
  const big = new CIDRSet('10.244.0.0/16', 24);
  big.occupy('10.244.0.0/23');
  assert.equal(big.allocated, 2, 'a larger block marks every /24 it covers');
});

function setup(cluster = '10.244.0.0/16', mask = 24) {
  const calls: { method: string; path: string; body?: any }[] = [];
  const events: string[] = [];
  const client = { request: async (method: string, path: string, body?: any) => { calls.push({ method, path, body }); return {}; } } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const c = new NodeIpamController(client, factory, { clusterCIDR: cluster, nodeCIDRMaskSize: mask,
    recorder: { event: (o, type, reason, msg) => events.push(`${o.metadata.name} ${type} ${reason} ${msg}`) } });
  return { c, calls, events, nodes: factory.forPath('/api/v1/nodes') };
}
const n = (name: string, podCIDR?: string) => ({ metadata: { name, uid: name, resourceVersion: '1' }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

test('node IPAM: existing podCIDRs are respected, a new node gets the next free one, deletion frees it', async () => {
  const { c, calls, nodes } = setup();
  nodes.handle('ADDED', n('old', '10.244.0.0/24'));
  nodes.handle('ADDED', n('new'));
  const run = c.run(1);
  await new Promise((r) => setTimeout(r, 20));
  const p = calls.find((x) => x.method === 'PATCH' && x.path === '/api/v1/nodes/new');
  assert.deepEqual(p?.body, { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } });
  nodes.handle('MODIFIED', { ...n('new', '10.244.1.0/24'), metadata: { name: 'new', uid: 'new', resourceVersion: '2' } });
  nodes.handle('DELETED', n('old', '10.244.0.0/24'));
  assert.equal(c.cidrs.isUsed('10.244.0.0/24'), false);
  assert.equal(c.cidrs.isUsed('10.244.1.0/24'), true);
  c.stop();
  await run;
});

test('node IPAM: an exhausted range records CIDRNotAvailable and fails the sync', async () => {
  const { c, events, nodes } = setup('10.0.0.0/24', 24);
  nodes.handle('ADDED', n('a', '10.0.0.0/24'));
  nodes.handle('ADDED', n('b'));
  await c.sync('a');
  await assert.rejects(c.sync('b'), /failed to allocate cidr from cluster cidr at idx:0: CIDR allocation failed/);
  assert.deepEqual(events, ['b Normal CIDRNotAvailable Node b status is now: CIDRNotAvailable']);
});
