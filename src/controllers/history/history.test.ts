import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Indexer } from '../../client/informer.js';
import { APIError, type RESTClient } from '../../client/rest.js';
import { selectorFromSet } from '../../machinery/labels/selector.js';
import {
  canonicalJSON, controllerRevisionName, fnv32, hashControllerRevision, safeEncodeString,
} from './hash.js';
import {
  equalRevision, History, newControllerRevision, nextRevision, REVISION_HASH_LABEL, revisionsToTruncate,
  sortControllerRevisions, type ControllerRevision,
} from './history.js';
import { recordingClient } from '../common/testing.js';

const enc = (s: string) => new TextEncoder().encode(s);
const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'd', uid: 'sts-uid' } };

test('fnv32 is FNV-1 (Go hash/fnv New32), not FNV-1a', () => {
  assert.equal(fnv32(enc('')), 0x811c9dc5);
  assert.equal(fnv32(enc('a')), 0x050c5d7e); // FNV-1a would give 0xe40c292c
  assert.equal(fnv32(enc('foobar')), 0x31f0b262);
});

test('safeEncodeString maps every character onto consonants and digits', () => {
  // '0' is 48, 48 % 27 = 21 → '4'; '6' is 54 → 'b': hashes read like the familiar web-7b4f9c6d8d
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  assert.match(safeEncodeString('4294967295'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

test('canonicalJSON sorts keys at every level and drops undefined', () => {
  assert.equal(canonicalJSON({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJSON({ b: 1, a: 2 }), canonicalJSON({ a: 2, b: 1 }));
});

test('hashControllerRevision: same data same hash, key order irrelevant, collisionCount changes it', () => {
  const d1 = { spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } } };
  const d2 = { spec: { template: { spec: { containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { labels: { app: 'web' } } } } };
  const h = hashControllerRevision(d1);
  assert.equal(h, hashControllerRevision(d2));
  assert.notEqual(h, hashControllerRevision(d1, 0));
  assert.notEqual(hashControllerRevision(d1, 0), hashControllerRevision(d1, 1));
  assert.notEqual(h, hashControllerRevision({ spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }));
  // the raw text and the object it canonically spells hash the same
  assert.equal(hashControllerRevision(canonicalJSON(d1), 3), hashControllerRevision(d1, 3));
  // decimal of a uint32, safe-encoded
  assert.equal(h, safeEncodeString(String(fnv32(enc(canonicalJSON(d1))))));
});

test('controllerRevisionName truncates long prefixes to 223 characters', () => {
  assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
  const long = 'x'.repeat(300);
  assert.equal(controllerRevisionName(long, 'h').length, 225);
});

test('newControllerRevision carries template labels, the hash label and a controller reference', () => {
  const r = newControllerRevision(parent, { app: 'web' }, { spec: { a: 1 } }, 3, 0);
  const hash = hashControllerRevision({ spec: { a: 1 } }, 0);
  assert.equal(r.metadata.name, `web-${hash}`);
  assert.deepEqual(r.metadata.labels, { app: 'web', [REVISION_HASH_LABEL]: hash });
  assert.equal(r.revision, 3);
  assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true }]);
});

const rev = (name: string, revision: number, extra: Partial<ControllerRevision['metadata']> = {}, data: unknown = { n: name }): ControllerRevision =>
  ({ metadata: { name, namespace: 'd', uid: `u-${name}`, resourceVersion: '1', labels: { app: 'web' }, ...extra }, data, revision });

test('sort, equal, nextRevision', () => {
  const revs = [rev('c', 3), rev('a', 1), rev('b2', 2, { creationTimestamp: '2024-01-02T00:00:00Z' }), rev('b1', 2, { creationTimestamp: '2024-01-01T00:00:00Z' })];
  assert.deepEqual(sortControllerRevisions(revs).map((r) => r.metadata.name), ['a', 'b1', 'b2', 'c']);
  assert.equal(nextRevision(revs), 4);
  assert.equal(nextRevision([]), 1);
  assert.ok(equalRevision(rev('x', 1, {}, { a: 1, b: 2 }), rev('y', 5, {}, { b: 2, a: 1 })));
  assert.ok(!equalRevision(rev('x', 1, {}, { a: 1 }), rev('y', 1, {}, { a: 2 })));
  assert.ok(!equalRevision(rev('x', 1, { labels: { [REVISION_HASH_LABEL]: 'h1' } }, { a: 1 }), rev('y', 1, { labels: { [REVISION_HASH_LABEL]: 'h2' } }, { a: 1 })));
  assert.ok(!equalRevision(rev('x', 1), undefined));
  assert.ok(equalRevision(undefined, undefined));
});

test('revisionsToTruncate keeps live revisions and the newest `limit` others', () => {
  const revs = [rev('r5', 5), rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4)];
  assert.deepEqual(revisionsToTruncate(revs, new Set(['r1', 'r5']), 1).map((r) => r.metadata.name), ['r2', 'r3']);
  assert.deepEqual(revisionsToTruncate(revs, new Set(['r5']), 0).map((r) => r.metadata.name), ['r1', 'r2', 'r3', 'r4']);
  assert.deepEqual(revisionsToTruncate(revs, new Set(), 10), []);
  assert.deepEqual(revisionsToTruncate(revs, new Set(['r1', 'r2', 'r3', 'r4', 'r5']), 0), []);
});

function fakeClient(existing: Record<string, ControllerRevision> = {}) {
  const { client, calls } = recordingClient((method, path, body) => {
    const name = path.split('/').pop()!;
    if (method === 'POST') {
      if (existing[body.metadata.name]) throw new APIError(409, { message: 'already exists' }, '');
      existing[body.metadata.name] = body;
      return { ...body, metadata: { ...body.metadata, uid: 'new' } };
    }
    if (method === 'GET') {
      if (!existing[name]) throw new APIError(404, { message: 'not found' }, '');
      return existing[name];
    }
    if (method === 'DELETE' && !existing[name]) throw new APIError(404, { message: 'not found' }, '');
    return { ...body };
  });
  return { client, calls };
}

test('History.list: matching selector, owned by the parent or orphaned, same namespace', () => {
  const store = new Indexer<ControllerRevision>();
  store.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
  const mine = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true };
  const other = { ...mine, uid: 'other' };
  store.set(rev('owned', 1, { ownerReferences: [mine] }));
  store.set(rev('orphan', 2));
  store.set(rev('foreign', 3, { ownerReferences: [other] }));
  store.set(rev('nomatch', 4, { labels: { app: 'db' } }));
  store.set(rev('elsewhere', 5, { namespace: 'x' }));
  const h = new History(fakeClient().client, store);
  assert.deepEqual(h.list(parent, selectorFromSet({ app: 'web' })).map((r) => r.metadata.name).sort(), ['orphan', 'owned']);
});

test('History.create: a name taken by the same data returns it; other data bumps collisionCount', async () => {
  const data = { spec: { a: 1 } };
  const store = new Indexer<ControllerRevision>();
  // same data already there under its name: returned without a collision
  const n0 = controllerRevisionName('web', hashControllerRevision(data, 0));
  const same = fakeClient({ [n0]: rev(n0, 1, {}, { spec: { a: 1 } }) });
  const r1 = await new History(same.client, store).create(parent, newControllerRevision(parent, {}, data, 2, 0), 0);
  assert.equal(r1.collisionCount, 0);
  assert.equal(r1.revision.metadata.name, n0);
  // different data under that name: a collision, created under the next name
  const clash = fakeClient({ [n0]: rev(n0, 1, {}, { spec: { a: 'other' } }) });
  const r2 = await new History(clash.client, store).create(parent, newControllerRevision(parent, {}, data, 2, 0), 0);
  assert.equal(r2.collisionCount, 1);
  assert.equal(r2.revision.metadata.name, controllerRevisionName('web', hashControllerRevision(data, 1)));
  assert.equal(clash.calls.filter((c) => c.method === 'POST').length, 2);
});

test('History.create propagates other errors', async () => {
  const client = { request: async () => { throw new APIError(403, { message: 'forbidden' }, ''); } } as unknown as RESTClient;
  await assert.rejects(new History(client, new Indexer()).create(parent, newControllerRevision(parent, {}, {}, 1, 0), 0), /forbidden/);
});

test('History.adopt refuses an owned revision; release and delete tolerate missing ones', async () => {
  const { client, calls } = fakeClient();
  const h = new History(client, new Indexer());
  await assert.rejects(h.adopt(parent, rev('x', 1, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'o', uid: 'o', controller: true }] })), /attempt to adopt revision owned by/);
  await h.adopt(parent, rev('y', 1));
  assert.equal(calls.at(-1)!.body.metadata.ownerReferences[0].uid, 'sts-uid');
  await h.delete(rev('gone', 1));
  const updated = await h.updateRevision(rev('y', 1), 7);
  assert.equal(updated.revision, 7);
  assert.equal(calls.at(-1)!.method, 'PUT');
});
