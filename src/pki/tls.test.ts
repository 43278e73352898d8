// End-to-end check that the material works with real TLS stacks: Node's (OpenSSL) on both sides, and
// Go's through kubectl when it is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createCA } from './ca.js';
import { issueCertificate } from './certs.js';
import { ensureServerPKI, writeAdminKubeconfig, type ServerPKI } from './cluster.js';
import { identityFromCertificate, type CertificateIdentity } from './identity.js';
import { writeKubeconfig } from './kubeconfig.js';

interface Seen {
  authorized: boolean;
  authorizationError?: string;
  identity: CertificateIdentity | null;
}

/** An https server like the apiserver's: asks for a client cert but lets unauthenticated requests in. */
async function startServer(pki: ServerPKI): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(
    { cert: pki.apiserver.certPem, key: pki.apiserver.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const identity = socket.authorized ? identityFromCertificate(socket.getPeerCertificate()) : null;
      seen.push({ authorized: socket.authorized, authorizationError: socket.authorizationError?.toString(), identity });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ major: '1', minor: '28', gitVersion: 'v1.28.0-kumo-test', user: identity?.user ?? null }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

function get(port: number, opts: { host?: string; ca: string; cert?: string; key?: string; servername?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: opts.host ?? '127.0.0.1', port, path: '/version', ca: opts.ca, cert: opts.cert, key: opts.key, servername: opts.servername, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('TLS handshake: server cert trusted via the CA, admin client cert authorized and mapped', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kumo-tls-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const pki = await ensureServerPKI(dataDir, { hostnames: ['node-a'], ips: [], serviceIP: '10.96.0.1' });
  const { server, port, seen } = await startServer(pki);
  t.after(() => new Promise<void>((r) => server.close(() => r())));

  // Verified by IP SAN 127.0.0.1 (Node checks the server identity against the host by default).
  const body = JSON.parse(await get(port, { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem }));
  assert.equal(body.user, 'kubernetes-admin');
  assert.deepEqual(seen.at(-1), { authorized: true, authorizationError: undefined, identity: { user: 'kubernetes-admin', groups: ['system:masters'] } });

  // Verified by DNS SAN, as in-cluster clients do.
  await get(port, { ca: pki.ca.certPem, servername: 'kubernetes.default.svc' });
  assert.equal(seen.at(-1)?.authorized, false, 'no client cert: anonymous');
  assert.equal(seen.at(-1)?.identity, null);

  // A client that does not trust our CA refuses the server.
  await assert.rejects(get(port, { ca: (await createCA('other')).certPem }), /self-signed|unable to verify|certificate/i);
  // A name not in the SANs is refused too.
  await assert.rejects(get(port, { ca: pki.ca.certPem, servername: 'evil.example.com' }), /altnames|Hostname\/IP does not match/);
});

test('TLS handshake: client certs from another CA or without clientAuth are not authorized', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kumo-tls-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const pki = await ensureServerPKI(dataDir, { hostnames: [], ips: [], serviceIP: '10.96.0.1' });
  const { server, port, seen } = await startServer(pki);
  t.after(() => new Promise<void>((r) => server.close(() => r())));

  const foreign = await issueCertificate(await createCA('kubernetes'), { commonName: 'mallory', organizations: ['system:masters'], usages: ['client'], days: 1 });
  await get(port, { ca: pki.ca.certPem, cert: foreign.certPem, key: foreign.keyPem });
  assert.equal(seen.at(-1)?.authorized, false);
  assert.equal(seen.at(-1)?.identity, null);

  // The serving cert is signed by the right CA but only good for serverAuth.
  await get(port, { ca: pki.ca.certPem, cert: pki.apiserver.certPem, key: pki.apiserver.keyPem });
  assert.equal(seen.at(-1)?.authorized, false);
  assert.match(seen.at(-1)?.authorizationError ?? '', /purpose/i);
});

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10000 });
    return true;
  } catch {
    return false;
  }
}

test('kubectl (Go TLS) accepts the CA, the ECDSA serving cert and the admin kubeconfig', { skip: !kubectlAvailable() && 'kubectl not installed' }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'kumo-tls-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const pki = await ensureServerPKI(dataDir, { hostnames: [], ips: [], serviceIP: '10.96.0.1' });
  const { server, port, seen } = await startServer(pki);
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  await writeAdminKubeconfig(pki, kubeconfig, { server: `https://127.0.0.1:${port}` });

  // Asynchronously: the server answering kubectl runs in this very process.
  const kubectlVersion = () =>
    new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/version'], { timeout: 30000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
  assert.equal(JSON.parse(await kubectlVersion()).user, 'kubernetes-admin');
  assert.deepEqual(seen.at(-1)?.identity, { user: 'kubernetes-admin', groups: ['system:masters'] });

  // Reaching the server by the DNS name "localhost" works as well.
  await writeAdminKubeconfig(pki, kubeconfig, { server: `https://localhost:${port}` });
  assert.equal(JSON.parse(await kubectlVersion()).user, 'kubernetes-admin');

  // Control: kubectl really verifies the server against the kubeconfig's CA.
  await writeKubeconfig(kubeconfig, {
    clusterName: 'kumo',
    server: `https://127.0.0.1:${port}`,
    caPem: (await createCA('kubernetes')).certPem,
    userName: 'admin',
    certPem: pki.admin.certPem,
    keyPem: pki.admin.keyPem,
    contextName: 'kumo',
  });
  await assert.rejects(kubectlVersion(), /x509: certificate signed by unknown authority/);
});
