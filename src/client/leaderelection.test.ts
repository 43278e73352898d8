import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from './rest.js';
import { LeaderElector, microTime, validateLeaderElection, type LeaseClient, type LeaseSpec } from './leaderelection.js';

/** An in-memory lease API with upstream's optimistic concurrency (409 on a stale resourceVersion). */
class FakeLeases implements LeaseClient {
  lease: { metadata: { name: string; namespace: string; resourceVersion: string }; spec: LeaseSpec } | undefined;
  rv = 1;
  fail = false;
  writes = 0;
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (this.fail) throw new APIError(503, undefined, 'unavailable');
    const b = body as { metadata: { name: string; namespace: string; resourceVersion?: string }; spec: LeaseSpec };
    if (method === 'GET') {
      if (!this.lease) throw new APIError(404, { reason: 'NotFound' }, 'not found');
      return structuredClone(this.lease) as T;
    }
    if (method === 'POST') {
      if (this.lease) throw new APIError(409, { reason: 'AlreadyExists' }, 'exists');
      assert.match(path, /\/apis\/coordination\.k8s\.io\/v1\/namespaces\/kube-system\/leases$/);
      this.writes++;
      this.lease = { metadata: { ...b.metadata, resourceVersion: String(++this.rv) }, spec: b.spec };
      return structuredClone(this.lease) as T;
    }
    if (method === 'PUT') {
      if (!this.lease) throw new APIError(404, undefined, 'not found');
      if (b.metadata.resourceVersion !== this.lease.metadata.resourceVersion) throw new APIError(409, { reason: 'Conflict' }, 'the object has been modified');
      this.writes++;
      this.lease = { metadata: { ...b.metadata, resourceVersion: String(++this.rv) }, spec: b.spec };
      return structuredClone(this.lease) as T;
    }
    throw new Error(`unexpected ${method}`);
  }
}

const noop = () => {};
function elector(api: LeaseClient, identity: string, clock: { t: number }, extra = {}) {
  return new LeaderElector(api, { namespace: 'kube-system', name: 'kube-scheduler', identity, now: () => clock.t,
    onStartedLeading: noop, onStoppedLeading: noop, ...extra });
}

test('config validation as upstream NewLeaderElector', () => {
  assert.throws(() => validateLeaderElection(10_000, 10_000, 2_000), /leaseDuration must be greater than renewDeadline/);
  assert.throws(() => validateLeaderElection(15_000, 2_000, 2_000), /renewDeadline must be greater than retryPeriod\*JitterFactor/);
  assert.doesNotThrow(() => validateLeaderElection(15_000, 10_000, 2_000));
});

test('microTime has microseconds', () => {
  assert.equal(microTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), '2024-01-02T03:04:05.678000Z');
});

test('default identity is <hostname>_<uuid>', () => {
  const e = new LeaderElector(new FakeLeases(), { namespace: 'kube-system', name: 'x', onStartedLeading: noop, onStoppedLeading: noop });
  assert.match(e.identity, /^[^_]+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('first candidate creates the lease; second waits until it expires, then takes over with a transition', async () => {
  const api = new FakeLeases();
  const clock = { t: 1_000_000 };
  const a = elector(api, 'a', clock), b = elector(api, 'b', clock);
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(api.lease!.spec.holderIdentity, 'a');
  assert.equal(api.lease!.spec.leaseDurationSeconds, 15);
  assert.equal(api.lease!.spec.leaseTransitions, 0);
  assert.equal(await b.tryAcquireOrRenew(), false);
  assert.equal(b.getLeader(), 'a');
  // a renews: acquireTime and transitions are kept, renewTime moves
  const acquired = api.lease!.spec.acquireTime;
  clock.t += 2_000;
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(api.lease!.spec.acquireTime, acquired);
  assert.equal(api.lease!.spec.renewTime, microTime(clock.t));
  // b saw the record change just now, so 14 s later it is still not expired for b
  assert.equal(await b.tryAcquireOrRenew(), false);
  clock.t += 14_000;
  assert.equal(await b.tryAcquireOrRenew(), false);
  clock.t += 1_001;
  assert.equal(await b.tryAcquireOrRenew(), true);
  assert.equal(api.lease!.spec.holderIdentity, 'b');
  assert.equal(api.lease!.spec.leaseTransitions, 1);
  assert.equal(api.lease!.spec.acquireTime, microTime(clock.t));
  // a comes back: the lease is b's and fresh
  assert.equal(await a.tryAcquireOrRenew(), false);
});

test('two candidates racing for an expired lease: the stale write gets 409 and loses', async () => {
  const api = new FakeLeases();
  const clock = { t: 0 };
  api.lease = { metadata: { name: 'kube-scheduler', namespace: 'kube-system', resourceVersion: '1' }, spec: { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3 } };
  const a = elector(api, 'a', clock), b = elector(api, 'b', clock);
  // interleave: both read the same version, then both write
  const origRequest = api.request.bind(api);
  let gets = 0;
  let release!: () => void;
  const bothRead = new Promise<void>((r) => { release = r; });
  api.request = (async (m: string, p: string, body?: unknown) => {
    const res = await origRequest(m, p, body);
    if (m === 'GET' && ++gets === 2) release();
    if (m === 'GET') await bothRead;
    return res;
  }) as LeaseClient['request'];
  const [ra, rb] = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
  assert.equal([ra, rb].filter(Boolean).length, 1);
  assert.equal(api.lease!.spec.holderIdentity, ra ? 'a' : 'b');
  assert.equal(api.lease!.spec.leaseTransitions, 4);
});

test('API errors are a failed attempt, not a crash', async () => {
  const api = new FakeLeases();
  api.fail = true;
  assert.equal(await elector(api, 'a', { t: 0 }).tryAcquireOrRenew(), false);
});

test('run: leads, steps down when renewals fail past the deadline; release on stop clears the holder', async () => {
  const api = new FakeLeases();
  const events: string[] = [];
  const e = new LeaderElector(api, { namespace: 'kube-system', name: 'kube-scheduler', identity: 'a',
    leaseDurationMs: 400, renewDeadlineMs: 200, retryPeriodMs: 40,
    onStartedLeading: () => events.push('started'), onStoppedLeading: () => events.push('stopped'), onNewLeader: (id) => events.push(`leader ${id}`) });
  const done = e.run();
  while (!e.isLeader()) await new Promise((r) => setTimeout(r, 10));
  const writes = api.writes;
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(api.writes > writes, 'the leader renews');
  api.fail = true;
  await done;
  assert.deepEqual(events, ['leader a', 'started', 'stopped']);
  assert.equal(e.isLeader(), false);

  // a fresh elector with release on cancel
  api.fail = false;
  const e2 = new LeaderElector(api, { namespace: 'kube-system', name: 'kube-scheduler', identity: 'a',
    leaseDurationMs: 400, renewDeadlineMs: 200, retryPeriodMs: 40, releaseOnCancel: true, onStartedLeading: noop, onStoppedLeading: noop });
  const done2 = e2.run();
  while (!e2.isLeader()) await new Promise((r) => setTimeout(r, 10));
  e2.stop();
  await done2;
  assert.equal(api.lease!.spec.holderIdentity, '');
  assert.equal(api.lease!.spec.leaseDurationSeconds, 1);
});
