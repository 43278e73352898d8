// The datastore contract, as node:test tests that every Backend must pass (memory, SQLite, and
// later real etcd). Written against interface.ts only. Each test opens a fresh, empty store.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Backend, type WatchEvent,
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
} from './interface.js';

/** closes the given store and opens the same one again (persistent backends only) */
export type Reopen = (b: Backend) => Promise<Backend>;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (v: Uint8Array): string => new TextDecoder().decode(v);

/** A watch that records everything it receives. */
function record(b: Backend, prefix: string, from: number) {
  const events: WatchEvent[] = [];
  const batches: WatchEvent[][] = [];
  const errors: Error[] = [];
  const waiters: Array<() => void> = [];
  const wake = (): void => { for (const w of waiters.splice(0)) w(); };
  const cancel = b.watch(prefix, from, (evs) => { batches.push(evs); events.push(...evs); wake(); },
    (err) => { errors.push(err); wake(); });
  /** resolves once pred holds; fails the test after 5 s */
  const until = async (pred: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`timed out waiting for ${what}; got ${events.length} events, ${errors.length} errors`);
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, Math.min(left, 50)); });
    }
  };
  return { events, batches, errors, cancel, until };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

export function backendContractSuite(name: string, open: () => Promise<Backend>, reopen?: Reopen): void {
  /** runs fn on a fresh store and always closes it */
  const withStore = (fn: (b: Backend) => Promise<Backend | void>) => async (): Promise<void> => {
    let b = await open();
    try {
      b = (await fn(b)) ?? b;
    } finally {
      await b.close();
    }
  };

  describe(`datastore contract: ${name}`, () => {
    it('revisions strictly increase across all keys and report create/mod revisions', withStore(async (b) => {
      const r0 = await b.currentRevision();
      assert.ok(r0 >= 1, 'a fresh store is at revision >= 1 (resourceVersion "0" means "any" to Kubernetes)');
      assert.deepEqual(await b.range(''), { kvs: [], revision: r0, more: false, count: 0 });
      const a = await b.create('/r/a', enc('1'));
      const c = await b.create('/r/c', enc('2'));
      const a2 = await b.update('/r/a', enc('3'), a.revision);
      assert.ok(a.revision > r0);
      assert.ok(c.revision > a.revision);
      assert.ok(a2.revision > c.revision);
      assert.equal(await b.currentRevision(), a2.revision);
      assert.equal(a.kv?.createRevision, a.revision);
      assert.equal(a.kv?.modRevision, a.revision);
      const got = await b.get('/r/a');
      assert.ok(got);
      assert.equal(dec(got.value), '3');
      assert.equal(got.createRevision, a.revision, 'update keeps the create revision');
      assert.equal(got.modRevision, a2.revision);
      assert.equal(await b.get('/r/missing'), undefined);
    }));

    it('keeps values byte for byte', withStore(async (b) => {
      const bytes = new Uint8Array(256).map((_, i) => i);
      await b.create('/bin', bytes);
      const got = await b.get('/bin');
      assert.deepEqual([...got!.value], [...bytes]);
      await b.create('/empty', new Uint8Array(0));
      assert.equal((await b.get('/empty'))!.value.length, 0);
    }));

    it('create on an existing key fails with KeyExistsError and changes nothing', withStore(async (b) => {
      const first = await b.create('/x', enc('one'));
      await assert.rejects(b.create('/x', enc('two')), (e: unknown) => e instanceof KeyExistsError && e.key === '/x');
      assert.equal(dec((await b.get('/x'))!.value), 'one');
      assert.equal(await b.currentRevision(), first.revision, 'a failed write does not use a revision');
    }));

    it('update with a stale modRevision fails with RevisionMismatchError carrying the actual revision', withStore(async (b) => {
      const c = await b.create('/u', enc('v1'));
      const u = await b.update('/u', enc('v2'), c.revision);
      await assert.rejects(b.update('/u', enc('v3'), c.revision),
        (e: unknown) => e instanceof RevisionMismatchError && e.key === '/u' && e.actual === u.revision);
      assert.equal(dec((await b.get('/u'))!.value), 'v2');
      // a missing key has modRevision 0
      await assert.rejects(b.update('/nope', enc('x'), 7),
        (e: unknown) => e instanceof RevisionMismatchError && e.actual === 0);
      assert.equal(await b.get('/nope'), undefined);
    }));

    it('delete: missing key, stale precondition, success, re-create', withStore(async (b) => {
      await assert.rejects(b.delete('/d'), KeyNotFoundError);
      const c = await b.create('/d', enc('v'));
      await assert.rejects(b.delete('/d', c.revision + 100),
        (e: unknown) => e instanceof RevisionMismatchError && e.actual === c.revision);
      const d = await b.delete('/d', c.revision);
      assert.ok(d.revision > c.revision);
      assert.equal(d.kv ? dec(d.kv.value) : undefined, 'v', 'delete returns the deleted value');
      assert.equal(await b.currentRevision(), d.revision);
      assert.equal(await b.get('/d'), undefined);
      await assert.rejects(b.delete('/d'), KeyNotFoundError);
      await assert.rejects(b.update('/d', enc('z'), c.revision), RevisionMismatchError);
      const again = await b.create('/d', enc('w'));
      assert.equal(again.kv?.createRevision, again.revision, 're-create starts a new life');
      const unconditional = await b.delete('/d');
      assert.ok(unconditional.revision > again.revision);
    }));

    it('range by prefix respects boundaries ("/a/" does not match "/ab" or "/a")', withStore(async (b) => {
      for (const k of ['/a/2', '/a', '/ab', '/a/1', '/b/1', '/a/1/x', '/a0']) await b.create(k, enc(k));
      const r = await b.range('/a/');
      assert.deepEqual(r.kvs.map((kv) => kv.key), ['/a/1', '/a/1/x', '/a/2']);
      assert.equal(r.count, 3);
      assert.equal(r.more, false);
      assert.equal(r.revision, await b.currentRevision());
      assert.equal(dec(r.kvs[0].value), '/a/1');
      const all = await b.range('');
      assert.deepEqual(all.kvs.map((kv) => kv.key), ['/a', '/a/1', '/a/1/x', '/a/2', '/a0', '/ab', '/b/1']);
      assert.deepEqual((await b.range('/zz/')).kvs, []);
      const counted = await b.range('/a', { countOnly: true });
      assert.equal(counted.count, 6);
      assert.equal(counted.kvs.length, 0);
    }));

    it('range limit reports more and count; startKey paginates', withStore(async (b) => {
      for (let i = 0; i < 5; i++) await b.create(`/p/k${i}`, enc(String(i)));
      await b.create('/q/other', enc('q'));
      const first = await b.range('/p/', { limit: 2 });
      assert.deepEqual(first.kvs.map((kv) => kv.key), ['/p/k0', '/p/k1']);
      assert.equal(first.more, true);
      assert.equal(first.count, 5);
      const second = await b.range('/p/', { limit: 2, startKey: '/p/k1\u0000' });
      assert.deepEqual(second.kvs.map((kv) => kv.key), ['/p/k2', '/p/k3']);
      assert.equal(second.more, true);
      assert.equal(second.count, 3, 'count is from startKey');
      const last = await b.range('/p/', { limit: 2, startKey: '/p/k4' });
      assert.deepEqual(last.kvs.map((kv) => kv.key), ['/p/k4']);
      assert.equal(last.more, false);
      const exact = await b.range('/p/', { limit: 5 });
      assert.equal(exact.more, false);
      // a startKey outside the prefix never escapes it
      assert.deepEqual((await b.range('/p/', { startKey: '/a' })).kvs.length, 5);
      assert.deepEqual((await b.range('/p/', { startKey: '/q/' })).kvs, []);
    }));

    it('paginating at a fixed revision is stable while writes continue', withStore(async (b) => {
      for (let i = 0; i < 7; i++) await b.create(`/pg/${i}`, enc(`v${i}`));
      const rev = await b.currentRevision();
      const keys: string[] = [];
      let start: string | undefined;
      for (;;) {
        const page = await b.range('/pg/', { limit: 3, startKey: start, revision: rev });
        assert.equal(page.revision, rev);
        keys.push(...page.kvs.map((kv) => `${kv.key}=${dec(kv.value)}`));
        // writes between pages must not show up in later pages read at `rev`
        await b.create(`/pg/${keys.length}x`, enc('new'));
        await b.delete(`/pg/${6 - keys.length / 3}`).catch(() => undefined);
        await b.update('/pg/6', enc('changed'), (await b.get('/pg/6'))?.modRevision ?? 0).catch(() => undefined);
        if (!page.more) break;
        start = page.kvs[page.kvs.length - 1].key + '\u0000';
      }
      assert.deepEqual(keys, [0, 1, 2, 3, 4, 5, 6].map((i) => `/pg/${i}=v${i}`));
    }));

    it('reads at an old revision see the old state, including since-deleted keys', withStore(async (b) => {
      const z = await b.create('/z', enc('z'));
      const c1 = await b.create('/o/a', enc('a1'));
      await b.create('/o/b', enc('b1'));
      const before = await b.currentRevision();
      await b.update('/o/a', enc('a2'), c1.revision);
      await b.delete('/o/b');
      await b.create('/o/c', enc('c1'));
      const now = await b.range('/o/');
      assert.deepEqual(now.kvs.map((kv) => `${kv.key}=${dec(kv.value)}`), ['/o/a=a2', '/o/c=c1']);
      const old = await b.range('/o/', { revision: before });
      assert.equal(old.revision, before);
      assert.deepEqual(old.kvs.map((kv) => `${kv.key}=${dec(kv.value)}`), ['/o/a=a1', '/o/b=b1']);
      assert.equal(old.count, 2);
      assert.equal(old.kvs[0].modRevision, c1.revision);
      const oldLimited = await b.range('/o/', { revision: before, limit: 1 });
      assert.deepEqual(oldLimited.kvs.map((kv) => kv.key), ['/o/a']);
      assert.equal(oldLimited.more, true);
      assert.equal(dec((await b.get('/o/b', { revision: before }))!.value), 'b1');
      assert.equal(await b.get('/o/b'), undefined);
      assert.equal(await b.get('/o/c', { revision: before }), undefined);
      assert.equal(await b.get('/o/a', { revision: z.revision }), undefined, 'not yet created');
    }));

    it('reads at a future revision fail with FutureRevisionError', withStore(async (b) => {
      await b.create('/f', enc('v'));
      const rev = await b.currentRevision();
      await assert.rejects(b.range('/', { revision: rev + 10 }), FutureRevisionError);
      await assert.rejects(b.get('/f', { revision: rev + 1 }), FutureRevisionError);
    }));

    it('watch from the current revision: types, values, prevKv, prefix filtering', withStore(async (b) => {
      const start = await b.currentRevision();
      const w = record(b, '/w/', start);
      const c = await b.create('/w/a', enc('1'));
      await b.create('/wx', enc('outside'));
      await b.create('/other/a', enc('outside'));
      const u = await b.update('/w/a', enc('2'), c.revision);
      const d = await b.delete('/w/a');
      await w.until(() => w.events.length >= 3, '3 events');
      await settle();
      w.cancel();
      assert.equal(w.errors.length, 0);
      assert.deepEqual(w.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]),
        [['PUT', '/w/a', c.revision], ['PUT', '/w/a', u.revision], ['DELETE', '/w/a', d.revision]]);
      const [ec, eu, ed] = w.events;
      assert.equal(dec(ec.kv.value), '1');
      assert.equal(ec.prevKv, undefined, 'a create has no prevKv');
      assert.equal(dec(eu.kv.value), '2');
      assert.equal(eu.kv.createRevision, c.revision);
      assert.equal(eu.prevKv && dec(eu.prevKv.value), '1');
      assert.equal(eu.prevKv?.modRevision, c.revision);
      assert.equal(dec(ed.kv.value), '2', 'a DELETE carries the deleted value');
      assert.equal(ed.prevKv && dec(ed.prevKv.value), '2');
      assert.equal(ed.prevKv?.modRevision, u.revision);
    }));

    it('watch from an old revision replays history, then goes live without gaps or duplicates', withStore(async (b) => {
      const base = await b.currentRevision();
      const revs: number[] = [];
      for (let i = 0; i < 5; i++) revs.push((await b.create(`/h/${i}`, enc(`v${i}`))).revision);
      revs.push((await b.delete('/h/0')).revision);
      await b.create('/nothere', enc('x'));
      const fromRev = revs[1];
      const w = record(b, '/h/', fromRev);
      // writes racing with the replay
      const live = await Promise.all([b.create('/h/live1', enc('l1')), b.create('/h/live2', enc('l2'))]);
      revs.push(...live.map((r) => r.revision).sort((x, y) => x - y));
      const tail = await b.update('/h/3', enc('v3b'), revs[3]);
      revs.push(tail.revision);
      const expected = revs.filter((r) => r > fromRev);
      await w.until(() => w.events.length >= expected.length, `${expected.length} events`);
      await settle();
      w.cancel();
      assert.equal(w.errors.length, 0);
      assert.deepEqual(w.events.map((e) => e.kv.modRevision), expected);
      const del = w.events.find((e) => e.type === 'DELETE')!;
      assert.equal(del.kv.key, '/h/0');
      assert.equal(dec(del.kv.value), 'v0', 'a replayed DELETE carries the deleted value');
      assert.equal(w.events.at(-1)!.prevKv && dec(w.events.at(-1)!.prevKv!.value), 'v3');
      assert.ok(base < fromRev);
    }));

    it('watch delivers nothing after cancel, and separate watchers are independent', withStore(async (b) => {
      const start = await b.currentRevision();
      const w1 = record(b, '/c/', start);
      const w2 = record(b, '/c/', start);
      await b.create('/c/1', enc('1'));
      await w1.until(() => w1.events.length === 1, 'first event');
      w1.cancel();
      await b.create('/c/2', enc('2'));
      await w2.until(() => w2.events.length === 2, 'two events on w2');
      await settle();
      assert.equal(w1.events.length, 1);
      w2.cancel();
    }));

    it('compaction: old revisions fail with CompactedError, current data stays', withStore(async (b) => {
      const a = await b.create('/k/a', enc('a1'));
      await b.create('/k/gone', enc('g'));
      const old = await b.currentRevision();
      const a2 = await b.update('/k/a', enc('a2'), a.revision);
      await b.delete('/k/gone');
      await b.create('/k/b', enc('b1'));
      const at = await b.update('/k/a', enc('a3'), a2.revision);
      await b.create('/k/after', enc('x'));
      await b.compact(at.revision);
      assert.ok(await b.compactedRevision() >= at.revision);
      await assert.rejects(b.range('/k/', { revision: old }), CompactedError);
      await assert.rejects(b.get('/k/a', { revision: old }), CompactedError);
      const now = await b.range('/k/');
      assert.deepEqual(now.kvs.map((kv) => `${kv.key}=${dec(kv.value)}`), ['/k/a=a3', '/k/after=x', '/k/b=b1']);
      assert.equal(now.kvs[0].createRevision, a.revision, 'compaction keeps the create revision');
      const atCompacted = await b.range('/k/', { revision: at.revision });
      assert.deepEqual(atCompacted.kvs.map((kv) => `${kv.key}=${dec(kv.value)}`), ['/k/a=a3', '/k/b=b1']);
      const w = record(b, '/k/', old);
      await w.until(() => w.errors.length > 0, 'CompactedError');
      assert.ok(w.errors[0] instanceof CompactedError);
      assert.equal(w.events.length, 0);
      w.cancel();
      // watching from the compacted revision still sees everything after it, with prevKv
      const w2 = record(b, '/k/', at.revision);
      const d = await b.delete('/k/a');
      await w2.until(() => w2.events.length >= 2, 'events after compaction');
      assert.deepEqual(w2.events.map((e) => [e.type, e.kv.key]), [['PUT', '/k/after'], ['DELETE', '/k/a']]);
      assert.equal(dec(w2.events[1].kv.value), 'a3');
      assert.equal(w2.events[1].kv.modRevision, d.revision);
      w2.cancel();
      assert.ok((await b.create('/k/new', enc('n'))).revision > d.revision);
    }));

    it('concurrent writes all land with distinct revisions', withStore(async (b) => {
      const n = 200;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => b.create(`/cc/${String(i).padStart(3, '0')}`, enc(`v${i}`))));
      const revs = new Set(results.map((r) => r.revision));
      assert.equal(revs.size, n);
      assert.equal(Math.max(...revs), await b.currentRevision());
      const all = await b.range('/cc/');
      assert.equal(all.count, n);
      for (const [i, kv] of all.kvs.entries()) assert.equal(dec(kv.value), `v${i}`);
    }));

    it('concurrent compare-and-swap on one key: exactly one wins', withStore(async (b) => {
      const c = await b.create('/cas', enc('0'));
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => b.update('/cas', enc(`w${i}`), c.revision)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const o of outcomes) {
        if (o.status === 'rejected') assert.ok(o.reason instanceof RevisionMismatchError);
      }
      const winner = (won[0] as PromiseFulfilledResult<{ revision: number }>).value.revision;
      assert.equal((await b.get('/cas'))!.modRevision, winner);
      // concurrent creates of one key: exactly one wins
      const creates = await Promise.allSettled(Array.from({ length: 10 }, () => b.create('/once', enc('x'))));
      assert.equal(creates.filter((o) => o.status === 'fulfilled').length, 1);
      assert.ok(creates.every((o) => o.status === 'fulfilled' || o.reason instanceof KeyExistsError));
    }));

    if (reopen) {
      it('reopening keeps data, revisions and the compacted revision', withStore(async (b) => {
        const a = await b.create('/re/a', enc('a'));
        await b.create('/re/b', enc('b'));
        await b.delete('/re/b');
        const last = await b.create('/re/tmp', enc('t'));
        const del = await b.delete('/re/tmp');
        await b.compact(del.revision); // the newest rows are now gone from history
        const b2 = await reopen(b);
        assert.equal(await b2.currentRevision(), del.revision, 'revisions never go back');
        assert.equal(await b2.compactedRevision(), del.revision);
        assert.equal(dec((await b2.get('/re/a'))!.value), 'a');
        assert.equal(await b2.get('/re/b'), undefined);
        await assert.rejects(b2.range('/re/', { revision: last.revision }), CompactedError);
        const next = await b2.create('/re/c', enc('c'));
        assert.ok(next.revision > del.revision);
        await assert.rejects(b2.create('/re/a', enc('again')), KeyExistsError);
        await b2.update('/re/a', enc('a2'), a.revision);
        return b2;
      }));
    }
  });
}
