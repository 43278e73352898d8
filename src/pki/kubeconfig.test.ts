import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createCA } from './ca.js';
import { issueCertificate } from './certs.js';
import { buildKubeconfig, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';

async function options(): Promise<KubeconfigOptions> {
  const ca = await createCA('kubernetes');
  const admin = await issueCertificate(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'], days: 1 });
  return {
    clusterName: 'kumo',
    server: 'https://127.0.0.1:6443',
    caPem: ca.certPem,
    userName: 'kubernetes-admin',
    certPem: admin.certPem,
    keyPem: admin.keyPem,
    contextName: 'kumo',
  };
}

const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

test('writeKubeconfig writes a standard kubeconfig, 0600, atomically', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const opts = await options();
  const path = join(dir, 'nested', 'admin.conf');
  await writeFile(join(dir, 'placeholder'), '');
  await writeKubeconfig(path, { ...opts, namespace: 'team-a' });

  const st = await stat(path);
  assert.equal(st.mode & 0o777, 0o600);
  assert.deepEqual(await readdir(join(dir, 'nested')), ['admin.conf'], 'no temp file left behind');
  const text = await readFile(path, 'utf8');
  assert.doesNotMatch(text, /^\s+[A-Za-z0-9+/]+=*$/m, 'base64 values are not folded over lines');
  const cfg = parse(text);
  assert.equal(cfg.apiVersion, 'v1');
  assert.equal(cfg.kind, 'Config');
  assert.equal(cfg['current-context'], 'kumo');
  assert.deepEqual(cfg.contexts, [{ name: 'kumo', context: { cluster: 'kumo', user: 'kubernetes-admin', namespace: 'team-a' } }]);
  assert.equal(cfg.clusters.length, 1);
  assert.equal(cfg.clusters[0].name, 'kumo');
  assert.equal(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  assert.equal(unb64(cfg.clusters[0].cluster['certificate-authority-data']), opts.caPem);
  assert.equal(cfg.users[0].name, 'kubernetes-admin');
  assert.equal(unb64(cfg.users[0].user['client-certificate-data']), opts.certPem);
  assert.equal(unb64(cfg.users[0].user['client-key-data']), opts.keyPem);

  // Rewriting replaces the content and keeps the mode.
  await writeKubeconfig(path, { ...opts, server: 'https://10.0.0.5:6443' });
  const again = parse(await readFile(path, 'utf8'));
  assert.equal(again.clusters[0].cluster.server, 'https://10.0.0.5:6443');
  assert.equal(again.contexts[0].context.namespace, undefined);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('buildKubeconfig rejects incomplete or malformed input', async () => {
  const opts = await options();
  assert.throws(() => buildKubeconfig({ ...opts, clusterName: '' }), /clusterName must not be empty/);
  assert.throws(() => buildKubeconfig({ ...opts, contextName: '' }), /contextName must not be empty/);
  assert.throws(() => buildKubeconfig({ ...opts, server: '127.0.0.1:6443' }), /must be an https:\/\/ URL|must be a URL/);
  assert.throws(() => buildKubeconfig({ ...opts, server: 'http://127.0.0.1:6443' }), /must be an https:\/\/ URL/);
  assert.throws(() => buildKubeconfig({ ...opts, keyPem: opts.certPem }), /keyPem is not a PEM PRIVATE KEY/);
  assert.throws(() => buildKubeconfig({ ...opts, caPem: 'hello' }), /caPem is not a PEM CERTIFICATE/);
});

test('writeKubeconfig leaves an existing file untouched when input is bad', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config');
  await writeFile(path, 'old');
  await assert.rejects(writeKubeconfig(path, { ...(await options()), server: '' }), /server must not be empty/);
  assert.equal(await readFile(path, 'utf8'), 'old');
});
