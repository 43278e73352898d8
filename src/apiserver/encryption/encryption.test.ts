import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { parse as parseYAML } from 'yaml';
import { generateEncryptionConfig, parseEncryptionConfig, transformerFromConfig, transformerFromConfigFile } from './index.js';
import { StatusError } from '../../machinery/errors.js';

// temp dirs made by this file's tests, removed when they are done
const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(prefix: string): string { const d = mkdtempSync(join(tmpdir(), prefix)); tempDirs.push(d); return d; }

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');
const K16 = Buffer.alloc(16, 3).toString('base64');
const SECRET_KEY = '/registry/secrets/default/s1';
const PLAIN = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

function yaml(resources: unknown[]): string {
  return JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources });
}

function transformer(resources: unknown[]) {
  return transformerFromConfig(parseEncryptionConfig(yaml(resources)));
}

const str = (b: Uint8Array) => Buffer.from(b).toString('latin1');

test('aescbc: prefix, IV and PKCS#7 ciphertext in upstream format, round trip', () => {
  const t = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'key1', secret: K1 }] } }] }]);
  const stored = Buffer.from(t.toStorage(SECRET_KEY, PLAIN));
  const prefix = 'k8s:enc:aescbc:v1:key1:';
  assert.ok(str(stored).startsWith(prefix));
  assert.ok(!str(stored).includes('password'));
  const body = stored.subarray(prefix.length);
  // IV(16) + ciphertext padded to the block size
  assert.equal(body.length, 16 + Math.ceil((PLAIN.length + 1) / 16) * 16);
  const d = createDecipheriv('aes-256-cbc', Buffer.alloc(32, 1), body.subarray(0, 16));
  assert.deepEqual(Buffer.concat([d.update(body.subarray(16)), d.final()]), PLAIN);
  assert.deepEqual(Buffer.from(t.fromStorage(SECRET_KEY, stored)), PLAIN);
  // fresh IV per write
  assert.notDeepEqual(Buffer.from(t.toStorage(SECRET_KEY, PLAIN)), stored);
});

test('aescbc: a 16-byte key selects AES-128', () => {
  const t = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'k', secret: K16 }] } }] }]);
  const stored = Buffer.from(t.toStorage(SECRET_KEY, PLAIN));
  const body = stored.subarray('k8s:enc:aescbc:v1:k:'.length);
  const d = createDecipheriv('aes-128-cbc', Buffer.alloc(16, 3), body.subarray(0, 16));
  assert.deepEqual(Buffer.concat([d.update(body.subarray(16)), d.final()]), PLAIN);
});

test('aescbc: the wrong secret under the same key name does not yield the plaintext', () => {
  const a = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'key1', secret: K1 }] } }] }]);
  const b = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'key1', secret: K2 }] } }] }]);
  for (let i = 0; i < 20; i++) {
    const stored = a.toStorage(SECRET_KEY, PLAIN);
    let out: Uint8Array | undefined;
    try { out = b.fromStorage(SECRET_KEY, stored); } catch (err) {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 500);
      assert.match(err.message, /unable to transform key "\/registry\/secrets\/default\/s1": invalid padding on input/);
    }
    // CBC is unauthenticated: a wrong key may pass the padding check by chance, but never decrypts
    if (out) assert.notDeepEqual(Buffer.from(out), PLAIN);
  }
});

test('aesgcm: nonce(12) + ciphertext + tag, the datastore key bound as AAD', () => {
  const t = transformer([{ resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'g', secret: K1 }] } }] }]);
  const stored = Buffer.from(t.toStorage(SECRET_KEY, PLAIN));
  const prefix = 'k8s:enc:aesgcm:v1:g:';
  assert.ok(str(stored).startsWith(prefix));
  const body = stored.subarray(prefix.length);
  assert.equal(body.length, 12 + PLAIN.length + 16);
  const d = createDecipheriv('aes-256-gcm', Buffer.alloc(32, 1), body.subarray(0, 12));
  d.setAAD(Buffer.from(SECRET_KEY));
  d.setAuthTag(body.subarray(body.length - 16));
  assert.deepEqual(Buffer.concat([d.update(body.subarray(12, body.length - 16)), d.final()]), PLAIN);
  assert.deepEqual(Buffer.from(t.fromStorage(SECRET_KEY, stored)), PLAIN);
  // the same bytes copied under another key fail authentication
  assert.throws(() => t.fromStorage('/registry/secrets/default/other', stored),
    /unable to transform key "\/registry\/secrets\/default\/other": cipher: message authentication failed/);
  // tampering fails too
  const bad = Buffer.from(stored); bad[bad.length - 1] ^= 1;
  assert.throws(() => t.fromStorage(SECRET_KEY, bad), /message authentication failed/);
});

test('aesgcm: wrong key fails authentication', () => {
  const a = transformer([{ resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'g', secret: K1 }] } }] }]);
  const b = transformer([{ resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'g', secret: K2 }] } }] }]);
  assert.throws(() => b.fromStorage(SECRET_KEY, a.toStorage(SECRET_KEY, PLAIN)), /message authentication failed/);
});

test('secretbox: nonce(24) + NaCl secretbox, round trip and wrong key', () => {
  const t = transformer([{ resources: ['secrets'], providers: [{ secretbox: { keys: [{ name: 's', secret: K1 }] } }] }]);
  const stored = Buffer.from(t.toStorage(SECRET_KEY, PLAIN));
  const prefix = 'k8s:enc:secretbox:v1:s:';
  assert.ok(str(stored).startsWith(prefix));
  const body = stored.subarray(prefix.length);
  assert.equal(body.length, 24 + 16 + PLAIN.length);
  const opened = nacl.secretbox.open(body.subarray(24), body.subarray(0, 24), new Uint8Array(Buffer.alloc(32, 1)));
  assert.ok(opened);
  assert.deepEqual(Buffer.from(opened), PLAIN);
  assert.deepEqual(Buffer.from(t.fromStorage(SECRET_KEY, stored)), PLAIN);
  const other = transformer([{ resources: ['secrets'], providers: [{ secretbox: { keys: [{ name: 's', secret: K2 }] } }] }]);
  assert.throws(() => other.fromStorage(SECRET_KEY, stored), /unable to transform key/);
});

test('several keys: the first encrypts, every key decrypts; an unknown key name fails clearly', () => {
  const old = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'old', secret: K1 }] } }] }]);
  const rotated = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [
    { name: 'new', secret: K2 }, { name: 'old', secret: K1 }] } }] }]);
  const oldValue = old.toStorage(SECRET_KEY, PLAIN);
  assert.deepEqual(Buffer.from(rotated.fromStorage(SECRET_KEY, oldValue)), PLAIN);
  assert.ok(str(rotated.toStorage(SECRET_KEY, PLAIN)).startsWith('k8s:enc:aescbc:v1:new:'));
  const dropped = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'new', secret: K2 }] } }] }]);
  assert.throws(() => dropped.fromStorage(SECRET_KEY, oldValue),
    /unable to transform key "\/registry\/secrets\/default\/s1": no matching key was found for the provided AES transformer/);
});

test('several providers: a later provider decrypts what an earlier one cannot', () => {
  const gcm = transformer([{ resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'g', secret: K1 }] } }] }]);
  const both = transformer([{ resources: ['secrets'], providers: [
    { secretbox: { keys: [{ name: 's', secret: K2 }] } }, { aesgcm: { keys: [{ name: 'g', secret: K1 }] } }] }]);
  assert.deepEqual(Buffer.from(both.fromStorage(SECRET_KEY, gcm.toStorage(SECRET_KEY, PLAIN))), PLAIN);
  assert.ok(str(both.toStorage(SECRET_KEY, PLAIN)).startsWith('k8s:enc:secretbox:v1:s:'));
});

test('identity: plaintext reads when identity is listed; without it they fail; identity first still decrypts', () => {
  const withIdentity = transformer([{ resources: ['secrets'], providers: [
    { aescbc: { keys: [{ name: 'key1', secret: K1 }] } }, { identity: {} }] }]);
  assert.deepEqual(Buffer.from(withIdentity.fromStorage(SECRET_KEY, PLAIN)), PLAIN);
  const noIdentity = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'key1', secret: K1 }] } }] }]);
  assert.throws(() => noIdentity.fromStorage(SECRET_KEY, PLAIN), /unable to transform key "[^"]+": no matching prefix found/);
  // decrypting back to plain text: identity first writes plaintext, aescbc still reads old values
  const decrypting = transformer([{ resources: ['secrets'], providers: [
    { identity: {} }, { aescbc: { keys: [{ name: 'key1', secret: K1 }] } }] }]);
  assert.deepEqual(Buffer.from(decrypting.toStorage(SECRET_KEY, PLAIN)), PLAIN);
  assert.deepEqual(Buffer.from(decrypting.fromStorage(SECRET_KEY, withIdentity.toStorage(SECRET_KEY, PLAIN))), PLAIN);
  // identity alone refuses encrypted bytes rather than returning ciphertext as JSON
  const identityOnly = transformer([{ resources: ['secrets'], providers: [{ identity: {} }] }]);
  assert.throws(() => identityOnly.fromStorage(SECRET_KEY, withIdentity.toStorage(SECRET_KEY, PLAIN)), /no matching prefix found/);
});

test('resources not listed stay plaintext; encrypted data under an unlisted resource is refused', () => {
  const t = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'key1', secret: K1 }] } }] }]);
  const cm = '/registry/configmaps/default/c';
  assert.deepEqual(Buffer.from(t.toStorage(cm, PLAIN)), PLAIN);
  assert.deepEqual(Buffer.from(t.fromStorage(cm, PLAIN)), PLAIN);
  assert.throws(() => t.fromStorage(cm, t.toStorage(SECRET_KEY, PLAIN)), /identity transformer tried to read encrypted data/);
});

test('wildcards: *.* , *. for core, *.apps, resource.group; exact entries win over wildcards', () => {
  const enc = (t: ReturnType<typeof transformer>, key: string) => str(t.toStorage(key, PLAIN)).slice(0, 30);
  const all = transformer([{ resources: ['*.*'], providers: [{ aescbc: { keys: [{ name: 'a', secret: K1 }] } }] }]);
  assert.match(enc(all, '/registry/configmaps/ns/x'), /^k8s:enc:aescbc:v1:a:/);
  assert.match(enc(all, '/registry/deployments/ns/x'), /^k8s:enc:aescbc:v1:a:/);
  assert.match(enc(all, '/registry/example.com/widgets/ns/x'), /^k8s:enc:aescbc:v1:a:/);

  const core = transformer([{ resources: ['*.'], providers: [{ aescbc: { keys: [{ name: 'c', secret: K1 }] } }] }]);
  assert.match(enc(core, '/registry/configmaps/ns/x'), /^k8s:enc:aescbc:v1:c:/);
  assert.match(enc(core, '/registry/namespaces/x'), /^k8s:enc:aescbc:v1:c:/);
  assert.equal(enc(core, '/registry/deployments/ns/x'), str(PLAIN).slice(0, 30));

  const apps = transformer([
    { resources: ['deployments.apps'], providers: [{ secretbox: { keys: [{ name: 'd', secret: K2 }] } }] },
    { resources: ['*.apps'], providers: [{ aesgcm: { keys: [{ name: 'g', secret: K1 }] } }] },
    { resources: ['*.*'], providers: [{ identity: {} }] },
  ]);
  assert.match(enc(apps, '/registry/deployments/ns/x'), /^k8s:enc:secretbox:v1:d:/);
  assert.match(enc(apps, '/registry/statefulsets/ns/x'), /^k8s:enc:aesgcm:v1:g:/);
  assert.equal(enc(apps, '/registry/secrets/ns/x'), str(PLAIN).slice(0, 30));
});

function configError(resources: unknown[]): string {
  try { parseEncryptionConfig(yaml(resources)); } catch (err) { return (err as Error).message; }
  assert.fail('config was accepted');
}

test('bad configs are rejected with upstream field paths and messages', () => {
  assert.equal(configError([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'k', secret: Buffer.alloc(8).toString('base64') }] } }] }]),
    'error while parsing file: resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]');
  assert.equal(configError([{ resources: ['secrets'], providers: [{ secretbox: { keys: [{ name: 'k', secret: K16 }] } }] }]),
    'error while parsing file: resources[0].providers[0].secretbox.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 16, expected one of [32]');
  assert.equal(configError([{ resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'k', secret: 'not base64!' }] } }] }]),
    'error while parsing file: resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded');
  assert.equal(configError([{ resources: ['secrets'], providers: [{ aescbc: { keys: [] } }] }]),
    'error while parsing file: resources[0].providers[0].aescbc.keys: Required value: at least one keys is required');
  assert.equal(configError([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ secret: K1 }] } }] }]),
    'error while parsing file: resources[0].providers[0].aescbc.keys[0].name: Required value: name is a mandatory field for a key');
  assert.match(configError([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'k', secret: K1 }] }, identity: {} }] }]),
    /resources\[0\]\.providers\[0\]: Invalid value: .*: more than one provider specified in a single element, should split into different list elements/);
  assert.match(configError([{ resources: ['secrets'], providers: [{}] }]),
    /provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity/);
  assert.equal(configError([{ resources: ['secrets'], providers: [] }]),
    'error while parsing file: resources[0].providers: Required value: at least one resources[0].providers is required');
  assert.equal(configError([]), 'error while parsing file: resources: Required value: at least one resources is required');
  assert.match(configError([{ resources: ['*'], providers: [{ identity: {} }] }]),
    /resources\[0\]\.resources\[0\]: Invalid value: "\*": use '\*\.' to encrypt all the resources from core API group or \*\.\* to encrypt all resources/);
  assert.match(configError([{ resources: ['Secrets'], providers: [{ identity: {} }] }]), /resource name should not contain capital letters/);
  assert.match(configError([{ resources: ['secrets.*'], providers: [{ identity: {} }] }]), /encrypting the same resource across groups is not supported/);
  assert.match(configError([{ resources: ['events.events.k8s.io'], providers: [{ identity: {} }] }]), /Use 'events' instead in the config file/);
  assert.match(configError([{ resources: ['secrets', '*.'], providers: [{ identity: {} }] }]),
    /resources\[0\]\.resources: Invalid value: \["secrets","\*\."\]: using overlapping resources such as 'secrets' and '\*\.' in the same resource list is not allowed/);
  assert.match(configError([{ resources: ['secrets', 'secrets'], providers: [{ identity: {} }] }]), /the same resource cannot be specified multiple times/);
  // two errors aggregate as a list
  assert.match(configError([{ resources: [], providers: [] }]), /^error while parsing file: \[resources\[0\]\.resources: .*, resources\[0\]\.providers: .*\]$/);
  assert.throws(() => parseEncryptionConfig('apiVersion: v1\nkind: ConfigMap\n'), /no kind "ConfigMap" is registered for version "v1"/);
  assert.throws(() => parseEncryptionConfig('   '), /is empty/);
  assert.throws(() => parseEncryptionConfig('resources: [\n'), /error while parsing file/);
});

test('transformerFromConfigFile: reads YAML, no path means no transformer, missing file is a clear error', async () => {
  assert.equal(await transformerFromConfigFile(undefined), undefined);
  const dir = tempDir('kumo-enc-');
  await assert.rejects(transformerFromConfigFile(join(dir, 'nope.yaml')), /error opening encryption provider configuration file/);
  const p = join(dir, 'enc.yaml');
  writeFileSync(p, generateEncryptionConfig());
  const t = await transformerFromConfigFile(p);
  assert.ok(t);
  const stored = t.toStorage(SECRET_KEY, PLAIN);
  assert.ok(str(stored).startsWith('k8s:enc:aescbc:v1:key1:'));
  assert.deepEqual(Buffer.from(t.fromStorage(SECRET_KEY, stored)), PLAIN);
  // existing plaintext Secrets stay readable (identity is second)
  assert.deepEqual(Buffer.from(t.fromStorage(SECRET_KEY, PLAIN)), PLAIN);
});

test('generateEncryptionConfig: secrets → aescbc key1 with a fresh 32-byte key, then identity', () => {
  const a = parseYAML(generateEncryptionConfig());
  const b = parseYAML(generateEncryptionConfig());
  assert.equal(a.apiVersion, 'apiserver.config.k8s.io/v1');
  assert.equal(a.kind, 'EncryptionConfiguration');
  assert.deepEqual(a.resources[0].resources, ['secrets']);
  assert.equal(a.resources[0].providers[0].aescbc.keys[0].name, 'key1');
  assert.equal(Buffer.from(a.resources[0].providers[0].aescbc.keys[0].secret, 'base64').length, 32);
  assert.deepEqual(a.resources[0].providers[1], { identity: {} });
  assert.notEqual(a.resources[0].providers[0].aescbc.keys[0].secret, b.resources[0].providers[0].aescbc.keys[0].secret);
});

test('isStale: values not written by the current provider and key want rewriting', () => {
  const old = transformer([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'old', secret: K1 }] } }] }]);
  const rotated = transformer([{ resources: ['secrets'], providers: [
    { aescbc: { keys: [{ name: 'new', secret: K2 }, { name: 'old', secret: K1 }] } }, { identity: {} }] }]);
  assert.equal(rotated.isStale!(SECRET_KEY, old.toStorage(SECRET_KEY, PLAIN)), true);
  assert.equal(rotated.isStale!(SECRET_KEY, PLAIN), true);
  assert.equal(rotated.isStale!(SECRET_KEY, rotated.toStorage(SECRET_KEY, PLAIN)), false);
  const decrypting = transformer([{ resources: ['secrets'], providers: [{ identity: {} }, { aescbc: { keys: [{ name: 'old', secret: K1 }] } }] }]);
  assert.equal(decrypting.isStale!(SECRET_KEY, old.toStorage(SECRET_KEY, PLAIN)), true);
  assert.equal(decrypting.isStale!(SECRET_KEY, PLAIN), false);
  // resources outside the configuration are never stale
  assert.equal(rotated.isStale!('/registry/configmaps/default/c', PLAIN), false);
});
