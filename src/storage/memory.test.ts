import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backendContractSuite } from './contract.js';
import { MemoryBackend } from './memory.js';
import { CompactedError, FutureRevisionError } from './interface.js';

backendContractSuite('memory', async () => new MemoryBackend());

describe('MemoryBackend specifics', () => {
  it('starts empty at revision 1 (as etcd) and refuses use after close', async () => {
    const b = new MemoryBackend();
    assert.equal(await b.currentRevision(), 1);
    assert.equal((await b.create('/first', new Uint8Array())).revision, 2);
    await b.close();
    await assert.rejects(b.create('/a', new Uint8Array()), /closed/);
  });

  it('compaction drops superseded history but keeps the live value', async () => {
    const b = new MemoryBackend();
    const c = await b.create('/a', new Uint8Array([1]));
    const u = await b.update('/a', new Uint8Array([2]), c.revision);
    await assert.rejects(b.compact(u.revision + 1), FutureRevisionError);
    await b.compact(u.revision);
    await assert.rejects(b.get('/a', { revision: c.revision }), CompactedError);
    assert.deepEqual([...(await b.get('/a', { revision: u.revision }))!.value], [2]);
    await b.compact(c.revision); // older than the compacted revision: nothing to do
    assert.equal(await b.compactedRevision(), u.revision);
    await b.close();
  });
});
