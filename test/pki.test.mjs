// The hard way's PKI steps with the real `kumo` binary: pki init / issue / kubeconfig in a temp dir,
// a server started on that dir accepts the users issued there and nobody else, and certificates are
// renewed while the server runs without breaking its clients.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { parse as parseYAML } from 'yaml';
import { KUMO, startServer, request, runKubectl, kubectlBinary } from './harness.mjs';

const dirs = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'kumo-pki-e2e-'));
  dirs.push(d);
  return d;
}
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function kumo(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [KUMO, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
async function ok(args) {
  const r = await kumo(args);
  assert.equal(r.code, 0, `kumo ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r;
}

/** TLS options (CA, client cert, key) of a kubeconfig's first cluster and user. */
function tlsOf(path) {
  const kc = parseYAML(readFileSync(path, 'utf8'));
  const b = (s) => Buffer.from(s, 'base64');
  return {
    ca: b(kc.clusters[0].cluster['certificate-authority-data']),
    cert: b(kc.users[0].user['client-certificate-data']),
    key: b(kc.users[0].user['client-key-data']),
    server: kc.clusters[0].cluster.server,
    user: kc.users[0].name,
    context: kc['current-context'],
  };
}

function servingCertificate(url, ca) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: u.hostname, port: Number(u.port), ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.destroy();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

test('pki init/issue/kubeconfig: issued users authenticate, a foreign CA gets 401, bad input writes nothing', async () => {
  const dir = tempDir();
  const init = await ok(['pki', 'init', '--dir', dir]);
  assert.match(init.stdout, /created CA .*pki\/ca\.crt/);
  assert.match(init.stdout, /created CA .*pki\/etcd\/ca\.crt/);
  const ca = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8');
  assert.match((await ok(['pki', 'init', '--dir', dir])).stdout, /nothing changed/);
  assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), ca, 'init is idempotent');

  const issued = await ok(['pki', 'issue', '--dir', dir, '--kind', 'kubelet', '--node-name', 'worker-1', '--ip', '10.1.0.7']);
  assert.match(issued.stdout, /issued .*kubelet\/worker-1\/kubelet-client\.crt \(CN=system:node:worker-1, O=system:nodes/);
  assert.match(issued.stdout, /kubelet\/worker-1\/kubelet\.crt .*DNS:worker-1, IP Address:10\.1\.0\.7/);
  await ok(['pki', 'issue', '--dir', dir, '--kind', 'etcd-server', '--node-name', 'cp-1']);
  const etcd = new X509Certificate(readFileSync(join(dir, 'pki', 'etcd', 'server.crt')));
  assert.ok(etcd.verify(new X509Certificate(readFileSync(join(dir, 'pki', 'etcd', 'ca.crt'))).publicKey));

  // bad input: clear error, exit 1, nothing written
  const listing = () => readdirSync(join(dir, 'pki'), { recursive: true }).sort().join('\n');
  const before = listing();
  for (const [args, msg] of [
    [['pki', 'issue', '--dir', dir, '--kind', 'kubelet'], /node name is required/],
    [['pki', 'issue', '--dir', dir, '--kind', 'kubelet', '--node-name', 'n2', '--ip', 'not-an-ip'], /invalid IP address "not-an-ip"/],
    [['pki', 'issue', '--dir', dir, '--kind', 'wizard'], /invalid argument "wizard" for "--kind" flag/],
    [['pki', 'issue', '--dir', dir], /--kind is required/],
    [['pki', 'issue', '--dir', dir, '--kind', 'scheduler', '--days', '-3'], /--days/],
    [['pki', 'issue', '--dir', dir, '--kind', 'scheduler', '--colour', 'red'], /unknown flag: --colour/],
    [['pki', 'frobnicate'], /unknown command "frobnicate" for "kumo pki"/],
    [['kubeconfig', '--dir', dir, '--kind', 'user', '--username', 'eve', '--server', 'http://127.0.0.1:6443', '--out', join(dir, 'eve.conf')], /must be an https:\/\/ URL/],
    [['kubeconfig', '--dir', dir, '--kind', 'etcd-server', '--server', 'https://127.0.0.1:6443'], /invalid argument "etcd-server" for "--kind" flag/],
    [['pki', 'issue', '--dir', tempDir(), '--kind', 'scheduler'], /run 'kumo pki init --dir .*' first/],
  ]) {
    const r = await kumo(args);
    assert.equal(r.code, 1, `kumo ${args.join(' ')} should fail`);
    assert.match(r.stderr, msg);
  }
  assert.equal(listing(), before, 'failed commands wrote nothing');
  assert.equal(existsSync(join(dir, 'eve.conf')), false);

  // another cluster's CA, for the negative case
  const other = tempDir();
  await ok(['pki', 'init', '--dir', other]);
  await ok(['pki', 'issue', '--dir', other, '--kind', 'user', '--username', 'mallory', '--group', 'system:masters']);

  const s = await startServer({ dataDir: dir, args: ['--authorization-mode', 'AlwaysAllow'] });
  try {
    assert.equal(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), ca, 'the server kept the CA made by pki init');
    const out = join(dir, 'alice.conf');
    const made = await ok(['kubeconfig', '--dir', dir, '--kind', 'user', '--username', 'alice', '--group', 'dev,qa', '--server', s.url, '--out', out]);
    assert.match(made.stderr, /wrote .*alice\.conf for alice/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const alice = tlsOf(out);
    assert.equal(alice.user, 'alice');
    assert.equal(alice.context, 'alice@kumo');
    assert.equal(new X509Certificate(alice.cert).subject, 'O=dev\nO=qa\nCN=alice');
    const r = await request(s.url, 'GET', '/api/v1/namespaces', undefined, {}, alice);
    assert.equal(r.status, 200, r.text);
    // kubectl with the file as it is
    const k = await runKubectl(kubectlBinary(), ['--kubeconfig', out, 'get', 'namespaces', '-o', 'name'], {});
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /namespace\/default/);

    for (const [kind, extra, user] of [
      ['kubelet', ['--node-name', 'worker-1'], 'system:node:worker-1'],
      ['scheduler', [], 'system:kube-scheduler'],
      ['controller-manager', [], 'system:kube-controller-manager'],
      ['proxy', [], 'system:kube-proxy'],
    ]) {
      const f = join(dir, `${kind}.conf`);
      await ok(['kubeconfig', '--dir', dir, '--kind', kind, ...extra, '--server', s.url, '--out', f]);
      const c = tlsOf(f);
      assert.equal(c.user, user);
      const res = await request(s.url, 'GET', '/api/v1/namespaces', undefined, {}, c);
      assert.equal(res.status, 200, `${kind}: ${res.text}`);
    }
    // the kubelet's kubeconfig reuses the client certificate issued above
    assert.equal(tlsOf(join(dir, 'kubelet.conf')).cert.toString(), readFileSync(join(dir, 'pki', 'kubelet', 'worker-1', 'kubelet-client.crt'), 'utf8'));

    const foreign = {
      ca: Buffer.from(ca),
      cert: readFileSync(join(other, 'pki', 'users', 'mallory.crt')),
      key: readFileSync(join(other, 'pki', 'users', 'mallory.key')),
    };
    const denied = await request(s.url, 'GET', '/api/v1/namespaces', undefined, {}, foreign);
    assert.equal(denied.status, 401, denied.text);
    assert.equal(denied.json?.reason, 'Unauthorized');
  } finally {
    await s.stop();
  }
});

test('renewal while running: the served certificate changes without a restart and clients keep working', async () => {
  const dir = tempDir();
  // renew anything expiring within 400 days (i.e. everything) every 700 ms
  const s = await startServer({
    dataDir: dir,
    args: ['--authorization-mode', 'AlwaysAllow'],
    env: { KUMO_PKI_RENEW_BEFORE_MS: String(400 * 86400000), KUMO_PKI_RENEWAL_INTERVAL_MS: '700' },
  });
  try {
    const first = await servingCertificate(s.url, s.tls.ca);
    const oldAdmin = s.tls;
    const oldKubeconfig = readFileSync(s.kubeconfig, 'utf8');
    let now = first;
    for (let i = 0; i < 50 && now === first; i++) {
      await new Promise((r) => setTimeout(r, 200));
      now = await servingCertificate(s.url, s.tls.ca); // verified against the unchanged CA
    }
    assert.notEqual(now, first, 'the server presents a new certificate');
    assert.match(s.output(), /pki: re-issued .*apiserver\.crt: expires soon/);
    assert.equal(s.child.exitCode, null, 'no restart');
    // the old admin certificate is still valid, and so is the rewritten kubeconfig
    assert.equal((await request(s.url, 'GET', '/api/v1/namespaces', undefined, {}, oldAdmin)).status, 200);
    for (let i = 0; i < 50 && readFileSync(s.kubeconfig, 'utf8') === oldKubeconfig; i++) await new Promise((r) => setTimeout(r, 100));
    assert.notEqual(readFileSync(s.kubeconfig, 'utf8'), oldKubeconfig, 'admin kubeconfig rewritten');
    const fresh = tlsOf(s.kubeconfig);
    assert.equal((await request(s.url, 'GET', '/api/v1/namespaces', undefined, {}, fresh)).status, 200);
    const k = await s.kubectl(['get', 'ns', 'default', '-o', 'name']);
    assert.equal(k.code, 0, k.stderr);
  } finally {
    await s.stop();
  }
});
