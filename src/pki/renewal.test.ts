import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureServerPKI, pkiPaths, type ServerPKI, type ServerPKIOptions } from './cluster.js';
import { startRenewal } from './renewal.js';

const DAY = 86400000;
const base: ServerPKIOptions = { hostnames: ['node-a'], ips: [], serviceIP: '10.96.0.1' };

async function tempDataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-pki-renew-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function waitFor<T>(get: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

test('certificates close to expiry are re-issued from the same CA and reported', async (t) => {
  const dir = await tempDataDir(t);
  const first = await ensureServerPKI(dir, base);
  let now = new Date();
  const renewed: ServerPKI[] = [];
  const errors: Error[] = [];
  const stop = startRenewal(dir, { ...base, clock: () => now, onError: (e) => errors.push(e) }, (p) => { renewed.push(p); }, 30);
  t.after(stop);
  // nothing is due: several ticks pass without a callback
  await sleep(150);
  assert.equal(renewed.length, 0);
  // 340 days on, the 1-year leaves expire within 30 days
  now = new Date(Date.now() + 340 * DAY);
  const p = await waitFor(() => renewed[0]);
  assert.deepEqual(errors, []);
  assert.equal(p.ca.certPem, first.ca.certPem, 'CA kept');
  assert.notEqual(p.apiserver.certPem, first.apiserver.certPem);
  assert.notEqual(p.admin.certPem, first.admin.certPem);
  assert.ok(p.changes.some((c) => /re-issued .*apiserver\.crt: expires soon/.test(c)), p.changes.join('\n'));
  const cert = new X509Certificate(p.apiserver.certPem);
  assert.ok(cert.verify(new X509Certificate(first.ca.certPem).publicKey));
  assert.ok(Date.parse(cert.validTo) > now.getTime() + 300 * DAY, 'new certificate runs a year from the (injected) now');
  assert.equal(await readFile(pkiPaths(dir).apiserverCert, 'utf8'), p.apiserver.certPem, 'written to disk');
  // once renewed, later ticks find nothing to do
  await sleep(150);
  assert.equal(renewed.length, 1);
});

test('stop() ends the checks', async (t) => {
  const dir = await tempDataDir(t);
  await ensureServerPKI(dir, base);
  let calls = 0;
  const stop = startRenewal(dir, { ...base, clock: () => new Date(Date.now() + 340 * DAY) }, () => { calls++; }, 20);
  stop();
  await sleep(120);
  assert.equal(calls, 0);
  const cert = await stat(pkiPaths(dir).apiserverCert);
  assert.ok(cert.mtimeMs < Date.now() - 100, 'nothing re-issued after stop');
});

test('a vanished CA is reported, never recreated', async (t) => {
  const dir = await tempDataDir(t);
  await ensureServerPKI(dir, base);
  await unlink(pkiPaths(dir).caKey);
  const errors: Error[] = [];
  let calls = 0;
  const stop = startRenewal(dir, { ...base, clock: () => new Date(Date.now() + 340 * DAY), onError: (e) => errors.push(e) }, () => { calls++; }, 20);
  t.after(stop);
  const err = await waitFor(() => errors[0]);
  assert.match(err.message, /ca\.key is missing; not renewing/);
  assert.equal(calls, 0);
  await assert.rejects(stat(pkiPaths(dir).caKey), /ENOENT/);
});

test('a failing callback is reported and the next tick retries', async (t) => {
  const dir = await tempDataDir(t);
  await ensureServerPKI(dir, base);
  const errors: Error[] = [];
  let calls = 0;
  const stop = startRenewal(dir, { ...base, clock: () => new Date(Date.now() + 340 * DAY), onError: (e) => errors.push(e) }, () => {
    calls++;
    throw new Error('swap failed');
  }, 20);
  t.after(stop);
  await waitFor(() => (errors.length >= 2 ? true : undefined));
  assert.equal(errors[0].message, 'swap failed');
  assert.ok(calls >= 2, 'the callback is retried although the files no longer change');
  assert.throws(() => startRenewal(dir, base, () => {}, 0), /positive/);
});
