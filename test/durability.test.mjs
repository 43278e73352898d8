// Restarts: a clean SIGTERM stop and a kill -9 in the middle of a write burst. Every write that was
// answered 2xx must be there after restart, with the same CA, and the server must be ready again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.mjs';

test('SIGTERM shuts down cleanly; a restart keeps objects and the CA', async () => {
  const s1 = await startServer();
  try {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' }, data: { a: '1' } };
    const r = await s1.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm });
    assert.equal(r.status, 201);
    const ca1 = readFileSync(join(s1.dir, 'pki', 'ca.crt'), 'utf8');
    const exit = await s1.stop('SIGTERM');
    assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\n${s1.output()}`);
    const s2 = await startServer({ dataDir: s1.dir });
    try {
      assert.equal(readFileSync(join(s1.dir, 'pki', 'ca.crt'), 'utf8'), ca1, 'the CA survives restart');
      const g = await s2.request('GET', '/api/v1/namespaces/default/configmaps/keep');
      assert.equal(g.status, 200);
      assert.equal(g.json.data.a, '1');
      assert.equal(g.json.metadata.uid, r.json.metadata.uid);
      // revisions continue, never go back
      const c2 = await s2.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'after' } } });
      assert.ok(Number(c2.json.metadata.resourceVersion) > Number(r.json.metadata.resourceVersion));
    } finally {
      await s2.stop();
    }
  } finally {
    s1.cleanup();
  }
});

test('kill -9 during a burst of writes loses no acknowledged write', async () => {
  const s1 = await startServer();
  const acked = [];
  let stop = false;
  let n = 0;
  const worker = async () => {
    while (!stop) {
      const name = `burst-${n++}`;
      try {
        const r = await s1.request('POST', '/api/v1/namespaces/default/configmaps', {
          body: { metadata: { name }, data: { payload: 'x'.repeat(512) } },
        });
        if (r.status === 201) acked.push(name);
      } catch {
        return; // connection died with the server
      }
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  while (acked.length < 300) await new Promise((r) => setTimeout(r, 5));
  s1.child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await new Promise((r) => (s1.child.exitCode !== null || s1.child.signalCode !== null ? r() : s1.child.once('exit', r)));
  const s2 = await startServer({ dataDir: s1.dir });
  try {
    const ready = await s2.request('GET', '/readyz', { anonymous: true });
    assert.equal(ready.status, 200);
    const list = await s2.request('GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(list.status, 200);
    const present = new Set(list.json.items.map((i) => i.metadata.name));
    const missing = acked.filter((a) => !present.has(a));
    assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes lost`);
  } finally {
    await s2.stop();
    s2.cleanup();
  }
});
