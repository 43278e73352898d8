// SqliteBackend with its writer thread (sqlite-writer.ts): CAS under concurrency across batches,
// reads while a batch is in flight, commit failures and the writer thread dying.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type KeyValue, type WatchEvent, RevisionMismatchError } from './interface.js';
import { SqliteBackend } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'kumo-sqlite-writer-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `w${n++}.db`);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (v: Uint8Array): string => new TextDecoder().decode(v);
const internals = (b: SqliteBackend): { worker: Worker; rev: number } => b as unknown as { worker: Worker; rev: number };
const plain = (kv: KeyValue | undefined) => kv && { ...kv, value: dec(kv.value) };

describe('SqliteBackend writer thread', () => {
  it('concurrent CAS updates of one key: exactly one wins per revision, no update is lost', async () => {
    const b = new SqliteBackend(fresh());
    const created = await b.create('/cas', enc('0'));
    const events: WatchEvent[] = [];
    const cancel = b.watch('/cas', created.revision, (evs) => events.push(...evs), assert.fail);
    const clients = 64;
    const perClient = 5;
    const won: number[] = [];
    let conflicts = 0;
    // each client: read, update with the revision it read, retry on conflict; several batches are in play
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let done = 0; done < perClient;) {
        const kv = (await b.get('/cas'))!;
        try {
          const r = await b.update('/cas', enc(String(Number(dec(kv.value)) + 1)), kv.modRevision);
          won.push(r.revision);
          done++;
        } catch (err) {
          assert.ok(err instanceof RevisionMismatchError, String(err));
          assert.ok(err.actual > kv.modRevision, 'a conflict reports a newer revision');
          conflicts++;
        }
      }
    }));
    const total = clients * perClient;
    assert.ok(conflicts > 0, 'the clients did race');
    const final = (await b.get('/cas'))!;
    assert.equal(dec(final.value), String(total), 'no lost update');
    won.sort((x, y) => x - y);
    assert.deepEqual(won, Array.from({ length: total }, (_, i) => created.revision + 1 + i), 'one winner per revision, no gaps');
    assert.equal(await b.currentRevision(), created.revision + total);
    await new Promise((r) => setTimeout(r, 20));
    cancel();
    assert.equal(events.length, total);
    events.forEach((e, i) => {
      assert.equal(e.kv.modRevision, created.revision + 1 + i);
      assert.equal(e.prevKv!.modRevision, created.revision + i, 'prevKv is the revision just before');
      assert.equal(Number(dec(e.kv.value)), Number(dec(e.prevKv!.value)) + 1);
    });
    await b.close();
  });

  it('a read while the writer has committed but main has not heard yet never sees the newer rows', async () => {
    const path = fresh();
    const b = new SqliteBackend(path);
    await Promise.all(['/k/a', '/k/b', '/k/c', '/k/d', '/k/e'].map((k) => b.create(k, enc(`${k}@1`))));
    const r0 = await b.currentRevision();
    const before = await b.range('/k/');
    const page = await b.range('/k/', { limit: 2, startKey: '/k/b' });
    const writes = Promise.all([
      b.update('/k/a', enc('a@2'), before.kvs[0].modRevision), // changed
      b.delete('/k/b'), // gone
      b.create('/k/bb', enc('bb')), // new, inside the first page
      b.create('/k/0', enc('zero')), // new, first in key order
      b.delete('/k/e'),
    ]);
    await new Promise((r) => setImmediate(r)); // the batch is sent
    // hold the main thread until the commit is in the file: the answer cannot be handled meanwhile
    const raw = new Database(path, { readonly: true });
    const dbRev = raw.prepare("SELECT value FROM meta WHERE name = 'rev'").pluck();
    const deadline = Date.now() + 10_000;
    while ((dbRev.get() as number | undefined ?? 0) <= r0) assert.ok(Date.now() < deadline, 'the writer committed');
    raw.close();
    assert.equal(internals(b).rev, r0, 'main has not processed the answer');
    const reads = [
      b.range('/k/'), b.range('/k/', { countOnly: true }), b.range('/k/', { limit: 2 }),
      b.range('/k/', { limit: 2, startKey: '/k/b' }), b.range('/k/', { revision: r0 }),
    ];
    const gets = ['/k/a', '/k/b', '/k/bb', '/k/0', '/k/e'].map((k) => b.get(k));
    const [all, count, first2, page2, atR0] = await Promise.all(reads);
    assert.deepEqual(all, before);
    assert.deepEqual(count, { kvs: [], revision: r0, more: false, count: 5 });
    assert.deepEqual(first2, { kvs: before.kvs.slice(0, 2), revision: r0, more: true, count: 5 });
    assert.deepEqual(page2, page);
    assert.deepEqual(atR0, before);
    assert.deepEqual((await Promise.all(gets)).map(plain), [before.kvs[0], before.kvs[1], undefined, undefined, before.kvs[4]].map(plain));
    await writes;
    const now = await b.range('/k/');
    assert.equal(now.revision, r0 + 5);
    assert.deepEqual(now.kvs.map((kv) => kv.key), ['/k/0', '/k/a', '/k/bb', '/k/c', '/k/d']);
    await b.close();
  });

  it('a failed commit rejects its batch, publishes nothing and the next batch goes on', async () => {
    const b = new SqliteBackend(fresh());
    const base = await b.create('/f/base', enc('0'));
    const revs: number[] = [];
    const cancel = b.watch('/f/', base.revision, (evs) => revs.push(...evs.map((e) => e.kv.modRevision)), assert.fail);
    internals(b).worker.postMessage({ t: 'fail', key: '/f/boom' }); // test hook: throw inside the transaction
    const failed = await Promise.allSettled([
      b.update('/f/base', enc('1'), base.revision), b.create('/f/x', enc('x')), b.create('/f/boom', enc('!')),
    ]);
    assert.deepEqual(failed.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
    const after1 = await Promise.all([b.update('/f/base', enc('1'), base.revision), b.create('/f/x', enc('x'))]);
    assert.deepEqual(after1.map((r) => r.revision), [base.revision + 1, base.revision + 2], 'no revision was used by the failed batch');
    await assert.rejects(b.create('/f/boom', enc('!')), /injected/);
    internals(b).worker.postMessage({ t: 'fail', key: null });
    await b.create('/f/boom', enc('!'));
    await new Promise((r) => setTimeout(r, 20));
    cancel();
    assert.deepEqual(revs, [base.revision + 1, base.revision + 2, base.revision + 3]);
    assert.deepEqual((await b.range('/f/')).kvs.map((kv) => kv.key), ['/f/base', '/f/boom', '/f/x']);
    await b.close();
  });

  it('the writer thread dying fails what is pending and every later call; close still works', async () => {
    const path = fresh();
    const b = new SqliteBackend(path);
    const acked = await b.create('/d/acked', enc('1'));
    const watchErrors: Error[] = [];
    b.watch('/d/', acked.revision, () => undefined, (err) => watchErrors.push(err));
    const inFlight = Array.from({ length: 20 }, (_, i) => b.create(`/d/${i}`, enc('v')));
    await new Promise((r) => setImmediate(r)); // sent
    const queued = b.create('/d/queued', enc('v'));
    await internals(b).worker.terminate();
    for (const o of await Promise.allSettled([...inFlight, queued])) {
      assert.equal(o.status, 'rejected');
      assert.match(String((o as PromiseRejectedResult).reason), /writer thread/);
    }
    await assert.rejects(b.create('/d/late', enc('v')), /writer thread/);
    await assert.rejects(b.get('/d/acked'), /writer thread/);
    await assert.rejects(b.range('/d/'), /writer thread/);
    await assert.rejects(b.currentRevision(), /writer thread/);
    await assert.rejects(b.compact(acked.revision), /writer thread/);
    assert.throws(() => b.watch('/d/', 0, () => undefined, () => undefined), /writer thread/);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(watchErrors.length, 1, 'open watches end with the error');
    await b.close();
    const b2 = new SqliteBackend(path);
    assert.equal(dec((await b2.get('/d/acked'))!.value), '1', 'acknowledged writes are there');
    await b2.create('/d/again', enc('v'));
    await b2.close();
  });

  it('close() sends what is queued and waits for it; writes after close() are refused', async () => {
    const path = fresh();
    const b = new SqliteBackend(path);
    const queued = Array.from({ length: 50 }, (_, i) => b.create(`/c/${i}`, enc('v')));
    const closed = b.close();
    await assert.rejects(b.create('/c/late', enc('v')), /closed/);
    await closed;
    assert.equal((await Promise.all(queued)).length, 50);
    const b2 = new SqliteBackend(path);
    assert.equal((await b2.range('/c/', { countOnly: true })).count, 50);
    await b2.close();
  });

  it('compaction runs in chunks between write batches; reads below it are refused from its start', async () => {
    const b = new SqliteBackend(fresh());
    for (let i = 0; i < 12_000; i += 2000) {
      await Promise.all(Array.from({ length: 2000 }, (_, j) => b.create(`/cw/${i + j}`, enc('v'))));
    }
    const rev = await b.currentRevision();
    const compaction = b.compact(rev);
    // writes keep being answered while the chunks run
    const during = await Promise.all(Array.from({ length: 10 }, (_, i) => b.update(`/cw/${i}`, enc('w'), i + 2)));
    assert.equal(during.length, 10);
    await assert.rejects(b.range('/cw/', { revision: 2 }), /compacted/);
    await compaction;
    assert.equal(await b.compactedRevision(), rev);
    assert.equal((await b.range('/cw/', { revision: rev, countOnly: true })).count, 12_000);
    assert.equal((await b.range('/cw/', { countOnly: true })).count, 12_000);
    await b.close();
  });
});
