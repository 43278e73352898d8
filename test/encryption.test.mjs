// Encryption at rest, the hard way's check end to end: a Secret's raw datastore row is
// `k8s:enc:aescbc:v1:key1:` + ciphertext, kubectl still reads it, keys rotate by rewriting every
// Secret, ConfigMaps stay plain, and a lost key fails reads of what it encrypted, not the server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { parse as parseYAML, stringify as toYAML } from 'yaml';
import { startServer } from './harness.mjs';

const dir = mkdtempSync(join(tmpdir(), 'kumo-enc-'));
let s;
after(async () => { await s?.stop(); rmSync(dir, { recursive: true, force: true }); });

const PASSWORD = 'correct-horse-battery-staple';

/** the live value of a datastore key, read straight from SQLite */
function rawValue(key) {
  const db = new Database(join(dir, 'db', 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT l.value FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?').get(key);
    return row?.value;
  } finally { db.close(); }
}

function rawSecretKeys() {
  const db = new Database(join(dir, 'db', 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT key FROM current WHERE key LIKE '/registry/secrets/%'").all().map((r) => r.key);
  } finally { db.close(); }
}

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function restart(args = []) {
  await s.stop();
  s = await startServer({ dataDir: dir, args });
}

function config(aescbcKeys) {
  return toYAML({
    apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ aescbc: { keys: aescbcKeys } }, { identity: {} }] }],
  });
}

async function passwordOf(name) {
  const b64 = await ok(['get', 'secret', name, '-n', 'default', '-o', 'jsonpath={.data.password}']);
  return Buffer.from(b64, 'base64').toString();
}

test('kumo server encrypts Secrets with aescbc by default; ConfigMaps stay plain', async () => {
  s = await startServer({ dataDir: dir });
  const cfgPath = join(dir, 'pki', 'encryption-config.yaml');
  assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
  const cfg = parseYAML(readFileSync(cfgPath, 'utf8'));
  assert.equal(cfg.kind, 'EncryptionConfiguration');
  assert.equal(cfg.resources[0].providers[0].aescbc.keys[0].name, 'key1');

  await ok(['create', 'secret', 'generic', 's1', '-n', 'default', `--from-literal=password=${PASSWORD}`]);
  await ok(['create', 'configmap', 'c1', '-n', 'default', '--from-literal=color=plainly-visible']);

  const raw = rawValue('/registry/secrets/default/s1');
  assert.ok(raw, 'secret row exists');
  assert.equal(raw.subarray(0, 23).toString('latin1'), 'k8s:enc:aescbc:v1:key1:');
  const text = raw.toString('latin1');
  for (const needle of [PASSWORD, Buffer.from(PASSWORD).toString('base64'), '"kind"', 's1']) {
    assert.ok(!text.includes(needle), `raw row contains ${needle}`);
  }
  assert.equal(await passwordOf('s1'), PASSWORD);
  const cm = rawValue('/registry/configmaps/default/c1');
  assert.ok(cm.toString('utf8').includes('plainly-visible'));
  assert.ok(!cm.toString('latin1').startsWith('k8s:enc:'));

  // a restart keeps the generated key: the Secret still reads
  await restart();
  assert.equal(readFileSync(cfgPath, 'utf8'), toYAML(cfg));
  assert.equal(await passwordOf('s1'), PASSWORD);
});

test('key rotation as in the hard way: new key first, rewrite every Secret, drop the old key', async () => {
  const oldCfg = parseYAML(readFileSync(join(dir, 'pki', 'encryption-config.yaml'), 'utf8'));
  const key1 = oldCfg.resources[0].providers[0].aescbc.keys[0];
  const key2 = { name: 'key2', secret: randomBytes(32).toString('base64') };
  const rotated = join(dir, 'rotated.yaml');
  writeFileSync(rotated, config([key2, key1]), { mode: 0o600 });
  await restart(['--encryption-provider-config', rotated]);
  assert.equal(await passwordOf('s1'), PASSWORD);
  // new writes already use the new key
  await ok(['create', 'secret', 'generic', 's2', '-n', 'default', '--from-literal=password=two']);
  assert.equal(rawValue('/registry/secrets/default/s2').subarray(0, 23).toString('latin1'), 'k8s:enc:aescbc:v1:key2:');
  assert.equal(rawValue('/registry/secrets/default/s1').subarray(0, 23).toString('latin1'), 'k8s:enc:aescbc:v1:key1:');

  // the unchanged objects are rewritten because their stored bytes are stale
  const all = await ok(['get', 'secrets', '-A', '-o', 'json']);
  await ok(['replace', '-f', '-'], { input: all });
  const keys = rawSecretKeys();
  assert.ok(keys.includes('/registry/secrets/default/s1'));
  for (const k of keys) {
    assert.equal(rawValue(k).subarray(0, 23).toString('latin1'), 'k8s:enc:aescbc:v1:key2:', `${k} rewritten with key2`);
  }

  const only2 = join(dir, 'only2.yaml');
  writeFileSync(only2, config([key2]), { mode: 0o600 });
  await restart(['--encryption-provider-config', only2]);
  assert.equal(await passwordOf('s1'), PASSWORD);
  assert.equal(await passwordOf('s2'), 'two');
});

test('a configuration missing the key: reads of those Secrets fail clearly, the server keeps serving', async () => {
  const wrong = join(dir, 'wrong.yaml');
  writeFileSync(wrong, config([{ name: 'key3', secret: randomBytes(32).toString('base64') }]), { mode: 0o600 });
  await restart(['--encryption-provider-config', wrong]);
  const r = await s.kubectl(['get', 'secret', 's1', '-n', 'default']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Internal error occurred: unable to transform key "\/registry\/secrets\/default\/s1": no matching key was found for the provided AES transformer/);
  const raw = await s.request('GET', '/api/v1/namespaces/default/secrets/s1');
  assert.equal(raw.status, 500);
  assert.equal(raw.json.reason, 'InternalError');
  // everything else still works, including new Secrets under the configured key
  assert.match(await ok(['get', 'configmap', 'c1', '-n', 'default', '-o', 'jsonpath={.data.color}']), /plainly-visible/);
  await ok(['create', 'secret', 'generic', 's3', '-n', 'default', '--from-literal=password=three']);
  assert.equal(await passwordOf('s3'), 'three');
  assert.match(s.output(), /cannot decode \/registry\/secrets\/default\/s1/);
});

test('a bad configuration stops the server at start with upstream wording', async () => {
  await s.stop();
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, config([{ name: 'short', secret: Buffer.alloc(8).toString('base64') }]));
  await assert.rejects(startServer({ dataDir: dir, args: ['--encryption-provider-config', bad] }),
    /resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of \[16 24 32\]/);
});
