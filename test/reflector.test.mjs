// src/client/reflector.ts against a real server: the initial LIST arrives as ADDED, then the watch
// delivers changes, and stop() ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

test('reflect: list as ADDED, then watch events, then stop', async () => {
  const s = await startServer();
  const { RESTClient } = await import('../dist/client/rest.js');
  const { reflect } = await import('../dist/client/reflector.js');
  const client = new RESTClient({ server: s.url, ca: s.tls.ca, cert: s.tls.cert, key: s.tls.key });
  try {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'before' } } });
    const seen = [];
    const r = await reflect(client, '/api/v1/namespaces/default/configmaps?labelSelector=' + encodeURIComponent('!skip'), (type, o) => seen.push(`${type} ${o.metadata.name}`));
    assert.ok(seen.includes('ADDED before'), seen.join(', '));
    await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'after' } } });
    await s.request('PATCH', '/api/v1/namespaces/default/configmaps/after', { body: { data: { a: 'b' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    await s.request('DELETE', '/api/v1/namespaces/default/configmaps/before');
    for (let i = 0; i < 100 && !seen.includes('DELETED before'); i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(seen.filter((x) => !x.includes('kube-root-ca')), ['ADDED before', 'ADDED after', 'MODIFIED after', 'DELETED before']);
    r.stop();
    await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'late' } } });
    await new Promise((res) => setTimeout(res, 200));
    assert.ok(!seen.includes('ADDED late'), 'nothing after stop');
  } finally {
    client.close();
    await s.stop();
    s.cleanup();
  }
});
