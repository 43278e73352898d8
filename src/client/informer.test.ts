import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byOwnerUID, Indexer, metaKey, olderRV, SharedInformer, SharedInformerFactory, trimManagedFields, type Obj } from './informer.js';
import type { RESTClient } from './rest.js';

const pod = (ns: string, name: string, rv: string, extra: Partial<Obj['metadata']> = {}): Obj =>
  ({ metadata: { namespace: ns, name, uid: `uid-${name}`, resourceVersion: rv, ...extra } });
const fakeClient = {} as RESTClient;

test('metaKey and resourceVersion ordering', () => {
  assert.equal(metaKey(pod('a', 'p', '1')), 'a/p');
  assert.equal(metaKey({ metadata: { name: 'n1' } }), 'n1');
  assert.equal(olderRV('9', '10'), true);
  assert.equal(olderRV('10', '9'), false);
  assert.equal(olderRV('10', '10'), false);
  assert.equal(olderRV('abc', '10'), false, 'opaque versions never compare older');
  assert.equal(olderRV(undefined, '1'), false);
});

test('indexer: namespace and owner indices follow updates and deletes', () => {
  const s = new Indexer();
  s.addIndexer('owner', byOwnerUID);
  const ref = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid }];
  s.set(pod('a', 'p1', '1', { ownerReferences: ref('o1') }));
  s.set(pod('a', 'p2', '1', { ownerReferences: ref('o1') }));
  assert.deepEqual(s.byIndex('owner', 'o1').map(metaKey).sort(), ['a/p1', 'a/p2']);
  s.set(pod('a', 'p2', '2', { ownerReferences: ref('o2') }));
  assert.deepEqual(s.byIndex('owner', 'o1').map(metaKey), ['a/p1']);
  assert.deepEqual(s.byIndex('owner', 'o2').map(metaKey), ['a/p2']);
  s.delete('a/p1');
  assert.deepEqual(s.byIndex('owner', 'o1'), []);
  assert.throws(() => s.byIndex('nope', 'x'), /index with name nope does not exist/);
});

test('informer: add/update/delete handlers, stale events dropped, namespace index', () => {
  const inf = new SharedInformer(fakeClient, '/api/v1/pods');
  const seen: string[] = [];
  inf.addEventHandler({
    add: (o) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (o, n) => seen.push(`update ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
    delete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  inf.handle('ADDED', pod('a', 'p', '5'));
  inf.handle('MODIFIED', pod('a', 'p', '7'));
  inf.handle('MODIFIED', pod('a', 'p', '6')); // older: a resumed watch replaying history
  inf.handle('ADDED', pod('a', 'p', '7')); // a relist repeating what we have
  inf.handle('ADDED', pod('b', 'q', '8'));
  assert.equal(inf.store.get('a/p')?.metadata.resourceVersion, '7');
  assert.deepEqual(inf.store.byIndex('namespace', 'b').map(metaKey), ['b/q']);
  inf.handle('DELETED', pod('a', 'p', '9'));
  assert.equal(inf.store.get('a/p'), undefined);
  assert.deepEqual(seen, ['add p@5', 'update 5->7', 'add q@8', 'delete p']);
});

test('informer: a handler that throws does not stop the others; late handlers get existing objects', () => {
  const logs: string[] = [];
  const inf = new SharedInformer(fakeClient, '/api/v1/pods', { log: (m) => logs.push(m) });
  let got = 0;
  inf.addEventHandler({ add: () => { throw new Error('boom'); } });
  inf.addEventHandler({ add: () => { got++; } });
  inf.handle('ADDED', pod('a', 'p', '1'));
  assert.equal(got, 1);
  assert.match(logs[0], /boom/);
  (inf as unknown as { synced: boolean }).synced = true;
  const late: string[] = [];
  inf.addEventHandler({ add: (o) => late.push(metaKey(o)) });
  assert.deepEqual(late, ['a/p']);
});

test('informer: run lists then watches through the client, hasSynced after the list', async () => {
  let watchCb: ((t: string, o: Record<string, unknown>) => void) | undefined;
  const client = {
    request: async () => ({ items: [pod('a', 'p', '3')], metadata: { resourceVersion: '3' } }),
    watch: (path: string, cb: typeof watchCb) => { assert.match(path, /watch=true.*resourceVersion=3/); watchCb = cb; return () => {}; },
  } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const inf = factory.forPath('/api/v1/pods');
  assert.equal(factory.forPath('/api/v1/pods'), inf, 'shared per path');
  assert.equal(inf.hasSynced(), false);
  await factory.start();
  assert.equal(factory.hasSynced(), true);
  assert.ok(inf.store.get('a/p'));
  watchCb!('ADDED', pod('a', 'r', '4'));
  assert.ok(inf.store.get('a/r'));
  factory.stop();
});

test('informer: a re-list drops objects deleted while the watch was down, with delete handlers', () => {
  const inf = new SharedInformer(fakeClient, '/api/v1/pods');
  const deleted: string[] = [];
  inf.addEventHandler({ delete: (o) => deleted.push(o.metadata.name!) });
  const p = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', uid: `u-${name}`, resourceVersion: rv } });
  inf.handle('ADDED', p('a', '1'));
  inf.handle('ADDED', p('b', '2'));
  inf.handle('ADDED', p('c', '3'));
  // the watch broke; b was deleted meanwhile; the re-list delivers a and c again
  inf.handle('ADDED', p('a', '1'));
  inf.handle('ADDED', p('c', '3'));
  inf.replace([p('a', '1'), p('c', '3')]);
  assert.deepEqual(inf.store.keys().sort(), ['ns/a', 'ns/c']);
  assert.deepEqual(deleted, ['b']);
});

test('trimManagedFields drops only metadata.managedFields and leaves the input untouched', () => {
  const mf = [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
  const o = { ...pod('a', 'p', '1', { labels: { app: 'x' }, managedFields: mf }), spec: { nodeName: 'n1' } };
  const t = trimManagedFields(o);
  assert.equal('managedFields' in t.metadata, false);
  assert.deepEqual(t.metadata, { namespace: 'a', name: 'p', uid: 'uid-p', resourceVersion: '1', labels: { app: 'x' } });
  assert.equal(t.spec, o.spec, 'the rest is shared, not copied');
  assert.equal(o.metadata.managedFields, mf, 'the object handed in keeps its managedFields');
  const plain = pod('a', 'q', '1');
  assert.equal(trimManagedFields(plain), plain, 'nothing to trim: the same object');
});

test('informer: the factory transform applies to listed and watched objects before handlers see them', async () => {
  let watchCb: ((t: string, o: Record<string, unknown>) => void) | undefined;
  const mf = [{ manager: 'm', operation: 'Update' }];
  const client = {
    request: async () => ({ items: [pod('a', 'p', '3', { managedFields: mf })], metadata: { resourceVersion: '3' } }),
    watch: (_path: string, cb: typeof watchCb) => { watchCb = cb; return () => {}; },
  } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client, { transform: trimManagedFields });
  const inf = factory.forPath('/api/v1/pods');
  const seen: Obj[] = [];
  inf.addEventHandler({ add: (o) => seen.push(o), update: (_old, o) => seen.push(o) });
  await factory.start();
  watchCb!('MODIFIED', pod('a', 'p', '4', { managedFields: mf }));
  watchCb!('ADDED', pod('a', 'r', '5', { managedFields: mf }));
  assert.equal(seen.length, 3);
  for (const o of seen) assert.equal(o.metadata.managedFields, undefined);
  assert.equal(inf.store.get('a/r')?.metadata.managedFields, undefined);
  assert.equal(inf.store.get('a/p')?.metadata.resourceVersion, '4');
  factory.stop();
});
