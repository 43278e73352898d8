import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reflect } from './reflector.js';
import { APIError, type RESTClient } from './rest.js';

type O = Record<string, unknown> & { metadata: { name: string; resourceVersion?: string; managedFields?: unknown } };
const obj = (name: string, rv = '7'): O => ({ metadata: { name, resourceVersion: rv, managedFields: [{ manager: 'm' }] } });

/** a client serving `all` in pages (limit/continue) at revision 7; `expireAt` makes that continue token answer 410 */
function pagedClient(all: O[], expireAt?: string) {
  const paths: string[] = [];
  let watchPath = '';
  const client = {
    request: async (_m: string, path: string) => {
      paths.push(path);
      const q = new URL(path, 'https://x').searchParams;
      const limit = Number(q.get('limit') ?? 0);
      const cont = q.get('continue') ?? '';
      if (cont && cont === expireAt) throw new APIError(410, { reason: 'Expired', message: 'too old' }, '');
      if (!limit) return { items: all, metadata: { resourceVersion: '7' } };
      const start = cont ? Number(cont) : 0;
      const next = start + limit < all.length ? String(start + limit) : undefined;
      return { items: all.slice(start, start + limit), metadata: { resourceVersion: '7', ...(next ? { continue: next } : {}) } };
    },
    watch: (path: string) => { watchPath = path; return () => {}; },
  } as unknown as RESTClient;
  return { client, paths, watchPath: () => watchPath };
}

test('reflector: pages through a large list with limit/continue, transforms, then watches from the list revision', async () => {
  const all = Array.from({ length: 5 }, (_, i) => obj(`o${i}`));
  const { client, paths, watchPath } = pagedClient(all);
  const seen: O[] = [];
  let listed: unknown[] = [];
  const r = await reflect(client, '/api/v1/pods?fieldSelector=a%3Db', (t, o) => { assert.equal(t, 'ADDED'); seen.push(o as O); }, {
    pageSize: 2, onList: (items) => { listed = items; },
    transform: (o) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } }) as typeof o,
  });
  assert.deepEqual(paths, ['/api/v1/pods?fieldSelector=a%3Db&limit=2', '/api/v1/pods?fieldSelector=a%3Db&limit=2&continue=2',
    '/api/v1/pods?fieldSelector=a%3Db&limit=2&continue=4']);
  assert.deepEqual(seen.map((o) => o.metadata.name), ['o0', 'o1', 'o2', 'o3', 'o4']);
  assert.ok(seen.every((o) => o.metadata.managedFields === undefined), 'transformed before delivery');
  assert.deepEqual(listed, seen, 'onList gets the same (transformed) objects');
  assert.match(watchPath(), /watch=true.*resourceVersion=7/);
  r.stop();
});

test('reflector: an expired continue token starts over with one unpaged LIST', async () => {
  const all = Array.from({ length: 5 }, (_, i) => obj(`o${i}`));
  const { client, paths } = pagedClient(all, '2');
  const seen: string[] = [];
  const r = await reflect(client, '/api/v1/pods', (_t, o) => seen.push((o as O).metadata.name), { pageSize: 2 });
  assert.deepEqual(paths, ['/api/v1/pods?limit=2', '/api/v1/pods?limit=2&continue=2', '/api/v1/pods']);
  assert.deepEqual(seen, ['o0', 'o1', 'o2', 'o3', 'o4'], 'each object once: the first page is not delivered twice');
  r.stop();
});

test('reflector: other list errors fail the start; no pageSize means one LIST', async () => {
  const failing = { request: async () => { throw new APIError(403, { message: 'forbidden' }, ''); }, watch: () => () => {} } as unknown as RESTClient;
  await assert.rejects(reflect(failing, '/api/v1/pods', () => {}, { pageSize: 2 }), /forbidden/);
  const { client, paths } = pagedClient([obj('a')]);
  const r = await reflect(client, '/api/v1/pods', () => {});
  assert.deepEqual(paths, ['/api/v1/pods']);
  r.stop();
});
