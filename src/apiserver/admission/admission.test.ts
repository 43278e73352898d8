import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBackend } from '../../storage/memory.js';
import { WatchCache } from '../storage/watchcache.js';
import { identityTransformer } from '../storage/codec.js';
import { Store } from '../registry/store.js';
import { noopStrategy } from '../registry/strategy.js';
import { builtinResources } from '../../api/resources.js';
import { StatusError } from '../../machinery/errors.js';
import type { AdmissionPlugin } from '../chain.js';
import { admissionFor } from './index.js';

const cmType = builtinResources.find((t) => t.resource === 'configmaps')!;
const user = { name: 'alice', groups: ['system:authenticated'] };

async function setup() {
  const backend = new MemoryBackend();
  const cache = new WatchCache(backend, identityTransformer);
  await cache.start();
  const store = new Store(cmType, 'configmaps', backend, cache, identityTransformer, noopStrategy,
    (ns) => (ns === 'default' ? { metadata: { name: 'default' } } : undefined));
  return { backend, cache, store };
}

test('mutating phases run before validation and validating phases after, in plugin order', async () => {
  const { store, cache } = await setup();
  const seen: string[] = [];
  const plugins: AdmissionPlugin[] = [
    { name: 'a', admit: (a) => { seen.push(`a.admit ${a.operation}`); (a.object!.metadata!.labels ??= {}).a = '1'; }, validate: () => { seen.push('a.validate'); } },
    { name: 'b', admit: (a) => { seen.push(`b.admit sees a=${a.object!.metadata!.labels?.a}`); }, validate: (a) => { seen.push(`b.validate ${a.user.name}`); } },
  ];
  const admission = admissionFor(plugins, cmType, '', 'default', '', user, false)!;
  const created = await store.create({ metadata: { name: 'x' } }, 'default', { dryRun: false, admission });
  assert.deepEqual(seen, ['a.admit CREATE', 'b.admit sees a=1', 'a.validate', 'b.validate alice']);
  assert.equal(created.metadata!.labels!.a, '1', 'mutations are stored');
  cache.stop();
});

test('a rejecting validating plugin stores nothing; update and delete go through admission too', async () => {
  const { store, cache, backend } = await setup();
  await store.create({ metadata: { name: 'keep' }, data: { v: '1' } }, 'default', { dryRun: false });
  const deny: AdmissionPlugin = {
    name: 'deny',
    validate: (a) => { throw new StatusError(403, 'Forbidden', `${a.operation} of ${a.name} denied`); },
  };
  const admission = admissionFor([deny], cmType, '', 'default', 'keep', user, false)!;
  await assert.rejects(store.create({ metadata: { name: 'new' } }, 'default', { dryRun: false, admission: admissionFor([deny], cmType, '', 'default', '', user, false) }), /CREATE of new denied/);
  await assert.rejects(store.update('default', 'keep', (o) => ({ ...o, data: { v: '2' } }), { dryRun: false, admission }), /UPDATE of keep denied/);
  await assert.rejects(store.delete('default', 'keep', {}, { dryRun: false, admission }), /DELETE of keep denied/);
  const kv = await backend.get('/registry/configmaps/default/keep');
  assert.match(Buffer.from(kv!.value).toString(), /"v":"1"/);
  assert.equal(await backend.get('/registry/configmaps/default/new'), undefined);
  cache.stop();
});
