import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '../../storage/memory.js';
import { WatchCache } from '../storage/watchcache.js';
import { identityTransformer } from '../storage/codec.js';
import { Store } from './store.js';
import { noopStrategy } from './strategy.js';
import { builtinResources } from '../../api/resources.js';
import { StatusError } from '../../machinery/errors.js';
import type { KObject } from '../../api/types.js';
import type { ServedResource } from '../apis.js';
import { budgetsFor, checkAndDecrement, Eviction, MAX_DISRUPTED_POD_SIZE, setDisruptionTarget } from './eviction.js';

const podType = builtinResources.find((t) => t.resource === 'pods' && t.group === '')!;
const pdbType = builtinResources.find((t) => t.resource === 'poddisruptionbudgets')!;
const NOW = Date.parse('2024-05-01T12:00:00Z');

async function setup() {
  const backend = new MemoryBackend();
  const cache = new WatchCache(backend, identityTransformer);
  await cache.start();
  const ns = (n: string) => (n === 'd' ? { metadata: { name: 'd' } } : undefined);
  const pods: ServedResource = { type: podType, store: new Store(podType, 'pods', backend, cache, identityTransformer, noopStrategy, ns) };
  const pdbs: ServedResource = { type: pdbType, store: new Store(pdbType, 'poddisruptionbudgets', backend, cache, identityTransformer, noopStrategy, ns) };
  return { cache, pods, pdbs };
}

const pod = (name: string, opts: { ready?: boolean; phase?: string; labels?: Record<string, string> } = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'd', labels: opts.labels ?? { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
});
const budget = (name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}, generation = 1): KObject => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'd', generation },
  spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } }, ...spec },
  status: { observedGeneration: 1, ...status },
});
const statusOf = (e: unknown) => (e instanceof StatusError ? { code: e.code, reason: e.reason, message: e.message, details: e.details } : e);

test('checkAndDecrement: 429 while the budget is unobserved or spent, 403 for broken ones, else one disruption less', () => {
  const b = (status: Record<string, unknown>, gen = 1) => budget('web-pdb', status, {}, gen) as never;
  assert.deepEqual(statusOf(captured(() => checkAndDecrement(b({ disruptionsAllowed: 1 }, 2), 'p', NOW, false))), {
    code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
    details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb is still being processed by the server.' }], retryAfterSeconds: 10 },
  });
  assert.deepEqual(statusOf(captured(() => checkAndDecrement(b({ disruptionsAllowed: 0, desiredHealthy: 2, currentHealthy: 2 }), 'p', NOW, false))), {
    code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
    details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }] },
  });
  assert.equal((captured(() => checkAndDecrement(b({ disruptionsAllowed: -1 }), 'p', NOW, false)) as StatusError).message,
    'poddisruptionbudget.policy "web-pdb" is forbidden: pdb disruptions allowed is negative');
  const many = Object.fromEntries(Array.from({ length: MAX_DISRUPTED_POD_SIZE + 1 }, (_, i) => [`p${i}`, 'x']));
  assert.equal((captured(() => checkAndDecrement(b({ disruptionsAllowed: 1, disruptedPods: many }), 'p', NOW, false)) as StatusError).code, 403);

  const next = checkAndDecrement(b({ disruptionsAllowed: 1, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', lastTransitionTime: 'T0' }] }), 'p', NOW, false);
  assert.equal(next.status!.disruptionsAllowed, 0);
  assert.deepEqual(next.status!.disruptedPods, { p: '2024-05-01T12:00:00Z' });
  assert.deepEqual(next.status!.conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2024-05-01T12:00:00Z' }]);
  const two = checkAndDecrement(b({ disruptionsAllowed: 2 }), 'p', NOW, true);
  assert.equal(two.status!.disruptionsAllowed, 1);
  assert.equal(two.status!.disruptedPods, undefined, 'a dry run records nothing');
  assert.equal(two.status!.conditions, undefined, 'the condition changes only at zero');
});

test('budgetsFor: same namespace, matching selector; empty and invalid selectors match nothing', () => {
  const p = pod('a') as never;
  const named = (name: string, selector: unknown, ns = 'd') => ({ ...budget(name, {}), metadata: { name, namespace: ns }, spec: { selector } }) as never;
  const got = budgetsFor(p, [named('yes', { matchLabels: { app: 'web' } }), named('other-ns', { matchLabels: { app: 'web' } }, 'e'),
    named('empty', {}), named('none', null), named('bad', { matchExpressions: [{ key: 'app', operator: 'Bogus' }] }),
    named('no', { matchLabels: { app: 'db' } })]);
  assert.deepEqual(got.map((x: KObject) => x.metadata!.name), ['yes']);
});

test('setDisruptionTarget adds the condition once and keeps its transition time', () => {
  const p = pod('a') as never as { status: { conditions: Record<string, unknown>[] } };
  setDisruptionTarget(p as never, NOW);
  setDisruptionTarget(p as never, NOW + 60_000);
  assert.deepEqual(p.status.conditions.filter((c) => c.type === 'DisruptionTarget'), [{
    type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null, lastTransitionTime: '2024-05-01T12:00:00Z',
  }]);
});

test('evicting a covered ready pod spends the budget, marks the pod and deletes it', async () => {
  const { cache, pods, pdbs } = await setup();
  await pods.store.create(pod('a'), 'd', { dryRun: false });
  await pdbs.store.create(budget('web-pdb', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2 }), 'd', { dryRun: false });
  assert.equal(await new Eviction(pods, pdbs, 'd', 'a', {}, false).run(), undefined);
  await assert.rejects(pods.store.get('d', 'a'), (e: unknown) => e instanceof StatusError && e.code === 404, 'no node: deleted at once');
  const after = (await pdbs.store.get('d', 'web-pdb')).obj as { status: Record<string, any> };
  assert.equal(after.status.disruptionsAllowed, 0);
  assert.deepEqual(Object.keys(after.status.disruptedPods), ['a']);
  await assert.rejects(new Eviction(pods, pdbs, 'd', 'missing', {}, false).run(), (e: unknown) => e instanceof StatusError && e.code === 404);
  cache.stop();
});

test('a pod on a node is marked DisruptionTarget and deleted gracefully; the caller\'s resourceVersion precondition follows our write', async () => {
  const { cache, pods, pdbs } = await setup();
  const p = pod('a');
  (p.spec as Record<string, unknown>).nodeName = 'n1';
  const created = await pods.store.create(p, 'd', { dryRun: false });
  const rv = created.metadata!.resourceVersion;
  await new Eviction(pods, pdbs, 'd', 'a', { preconditions: { resourceVersion: rv }, gracePeriodSeconds: 5 }, false).run();
  const left = (await pods.store.get('d', 'a')).obj as { metadata: Record<string, unknown>; status: { conditions: { type: string; reason?: string }[] } };
  assert.ok(left.metadata.deletionTimestamp);
  assert.equal(left.metadata.deletionGracePeriodSeconds, 5);
  assert.equal(left.status.conditions.find((c) => c.type === 'DisruptionTarget')?.reason, 'EvictionByEvictionAPI');
  cache.stop();
});

test('the budget says no: 429 and the pod stays; unobserved generations too', async () => {
  const { cache, pods, pdbs } = await setup();
  await pods.store.create(pod('a'), 'd', { dryRun: false });
  await pdbs.store.create(budget('web-pdb', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }), 'd', { dryRun: false });
  await assert.rejects(new Eviction(pods, pdbs, 'd', 'a', {}, false).run(), (e: unknown) => e instanceof StatusError && e.code === 429);
  // a new spec (generation 2) the controller has not seen: its old count must not be spent
  await pdbs.store.update('d', 'web-pdb', (o) => ({ ...o, spec: { ...(o.spec as object), minAvailable: 1 } }), { dryRun: false });
  await pdbs.store.update('d', 'web-pdb', (o) => ({ ...o, status: { ...(o.status as object), disruptionsAllowed: 1 } }), { dryRun: false, subresource: 'status' });
  assert.equal((await pdbs.store.get('d', 'web-pdb')).obj.metadata!.generation, 2);
  await assert.rejects(new Eviction(pods, pdbs, 'd', 'a', {}, false).run(),
    (e: unknown) => e instanceof StatusError && e.code === 429 && /still being processed/.test(e.details!.causes![0].message!));
  const still = (await pods.store.get('d', 'a')).obj;
  assert.equal(still.metadata!.deletionTimestamp, undefined);
  assert.equal((still.status as { conditions: unknown[] }).conditions.length, 1, 'no DisruptionTarget on a refused eviction');
  cache.stop();
});

test('unready pods: deleted without spending when the budget is met, or always under AlwaysAllow', async () => {
  const { cache, pods, pdbs } = await setup();
  await pods.store.create(pod('sick', { ready: false }), 'd', { dryRun: false });
  await pdbs.store.create(budget('web-pdb', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 }), 'd', { dryRun: false });
  await new Eviction(pods, pdbs, 'd', 'sick', {}, false).run();
  assert.equal(((await pdbs.store.get('d', 'web-pdb')).obj.status as { disruptionsAllowed: number }).disruptionsAllowed, 0, 'nothing spent');
  await assert.rejects(pods.store.get('d', 'sick'));

  await pods.store.create(pod('sick2', { ready: false }), 'd', { dryRun: false });
  await pdbs.store.update('d', 'web-pdb', (o) => ({ ...o, status: { ...(o.status as object), currentHealthy: 1 } }), { dryRun: false, subresource: 'status' });
  await assert.rejects(new Eviction(pods, pdbs, 'd', 'sick2', {}, false).run(), (e: unknown) => e instanceof StatusError && e.code === 429,
    'IfHealthyBudget: an unhealthy app keeps even its unready pods');
  await pdbs.store.update('d', 'web-pdb', (o) => ({ ...o, spec: { ...(o.spec as object), unhealthyPodEvictionPolicy: 'AlwaysAllow' } }), { dryRun: false });
  await new Eviction(pods, pdbs, 'd', 'sick2', {}, false).run();
  await assert.rejects(pods.store.get('d', 'sick2'));
  cache.stop();
});

test('pending pods ignore budgets; two budgets answer 500; dry runs change nothing', async () => {
  const { cache, pods, pdbs } = await setup();
  await pdbs.store.create(budget('one', { disruptionsAllowed: 0 }), 'd', { dryRun: false });
  await pods.store.create(pod('new', { phase: 'Pending' }), 'd', { dryRun: false });
  await new Eviction(pods, pdbs, 'd', 'new', {}, false).run();
  await assert.rejects(pods.store.get('d', 'new'), (e: unknown) => e instanceof StatusError && e.code === 404, 'pending: deleted despite a spent budget');

  await pods.store.create(pod('a'), 'd', { dryRun: false });
  await pdbs.store.create(budget('two', { disruptionsAllowed: 5 }), 'd', { dryRun: false });
  const r = await new Eviction(pods, pdbs, 'd', 'a', {}, false).run();
  assert.equal(r?.code, 500);
  assert.equal(r?.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  await pdbs.store.delete('d', 'one', {}, { dryRun: false });
  await new Eviction(pods, pdbs, 'd', 'a', {}, true).run();
  assert.equal(((await pdbs.store.get('d', 'two')).obj.status as { disruptionsAllowed: number }).disruptionsAllowed, 5);
  assert.ok(await pods.store.get('d', 'a'));
  cache.stop();
});

function captured(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  return undefined;
}
