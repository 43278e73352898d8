import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCIDR, nodeInternalIP, parseCIDR, PodIPPool } from './ipam.js';

test('node i gets the i-th /24 of the base', () => {
  const base = parseCIDR('10.244.0.0/16');
  assert.equal(nodeCIDR(base, 0), '10.244.0.0/24');
  assert.equal(nodeCIDR(base, 3), '10.244.3.0/24');
  assert.equal(nodeCIDR(base, 255), '10.244.255.0/24');
  assert.throws(() => nodeCIDR(base, 256), /holds 256 node \/24s/);
  assert.equal(nodeCIDR(parseCIDR('10.0.0.0/8'), 1000), '10.3.232.0/24');
  assert.throws(() => nodeCIDR(parseCIDR('10.0.0.0/25'), 0), /must be \/24 or wider/);
});

test('parseCIDR masks host bits and rejects junk', () => {
  assert.deepEqual(parseCIDR('10.244.7.9/16'), parseCIDR('10.244.0.0/16'));
  for (const bad of ['10.244.0.0', '10.244.0.256/16', '10.244.0.0/33', 'x/8', '']) assert.throws(() => parseCIDR(bad), /invalid/, bad);
});

test('node InternalIPs are distinct and outside the pod range', () => {
  assert.equal(nodeInternalIP(0), '172.16.0.1');
  assert.equal(nodeInternalIP(300), '172.16.1.45');
  assert.notEqual(nodeInternalIP(1), nodeInternalIP(2));
});

test('pod IPs: .2 upward, reserved ones skipped, freed ones reused, exhaustion reported', () => {
  const pool = new PodIPPool('10.244.1.0/24');
  assert.equal(pool.reserve('10.244.1.3'), true);
  assert.equal(pool.reserve('10.244.2.3'), false, 'outside the CIDR');
  assert.equal(pool.allocate(), '10.244.1.2');
  assert.equal(pool.allocate(), '10.244.1.4');
  pool.release('10.244.1.2');
  const seen = new Set<string>();
  for (let i = 0; i < 251; i++) seen.add(pool.allocate());
  assert.equal(seen.size, 251);
  assert.ok(seen.has('10.244.1.2'), 'freed address reused');
  assert.ok(!seen.has('10.244.1.1') && !seen.has('10.244.1.255') && !seen.has('10.244.1.0'), 'gateway, network and broadcast never handed out');
  assert.ok(!seen.has('10.244.1.3') && !seen.has('10.244.1.4'), 'taken addresses not handed out twice');
  assert.throws(() => pool.allocate(), /no free pod IP in 10.244.1.0\/24/);
  assert.equal(pool.size, 253);
});
