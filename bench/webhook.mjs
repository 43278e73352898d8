// Admission webhook benchmark (issue 7): create latency of 1 KiB ConfigMaps, one client in sequence,
// against a real `kumo server` — without webhooks, then with a no-op mutating webhook (allowed, no
// patch), then with one that patches (adds a label). The webhook is an HTTPS server in this process on
// loopback. Target: the no-op webhook adds ≤ 3 ms at p50. Prints a table, writes bench/results/webhook-*.json.
// Not a test: nothing here asserts a time. Usage: node bench/webhook.mjs [creates per phase, default 400]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { ROOT, round, pct, startServer, stop, req, gitCommit, saveResult } from './lib.mjs';

const N = Number(process.argv[2] ?? 400);
const WARMUP = 50;
const { createCA, issueCertificate } = await import(join(ROOT, 'dist/pki/index.js'));

const ca = await createCA('bench-webhook-ca');
const leaf = await issueCertificate(ca, { commonName: 'webhook', ipAddresses: ['127.0.0.1'], usages: ['server'], days: 1 });
const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }])).toString('base64');
const hook = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (rq, rs) => {
  const chunks = [];
  rq.on('data', (c) => chunks.push(c));
  rq.on('end', () => {
    const { request } = JSON.parse(Buffer.concat(chunks).toString());
    const response = rq.url.startsWith('/patch') ? { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch } : { uid: request.uid, allowed: true };
    rs.setHeader('content-type', 'application/json');
    rs.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
  });
});
await new Promise((r) => hook.listen(0, '127.0.0.1', r));
const hookPort = hook.address().port;

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-webhook-'));
const s = await startServer(dir);
const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
const data = { a: 'x'.repeat(1024) };
let seq = 0;

async function phase(name) {
  const lat = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t = performance.now();
    const r = await req(s, agent, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `${name}-${seq++}` }, data });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
    if (i >= WARMUP) lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  return { p50: round(pct(lat, 50)), p90: round(pct(lat, 90)), p99: round(pct(lat, 99)) };
}

async function configure(name, path) {
  const r = await req(s, agent, 'POST', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', {
    metadata: { name },
    webhooks: [{
      name: `${name}.bench.kumo.io`, sideEffects: 'None', admissionReviewVersions: ['v1'],
      clientConfig: { url: `https://127.0.0.1:${hookPort}${path}`, caBundle: Buffer.from(ca.certPem).toString('base64') },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    }],
  });
  if (r.status !== 201) throw new Error(`webhook configuration: ${r.status} ${r.body}`);
}

async function remove(name) {
  await req(s, agent, 'DELETE', `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`);
}

try {
  const none = await phase('none');
  await configure('noop', '/noop');
  const noop = await phase('noop');
  await remove('noop');
  await configure('patch', '/patch');
  const patched = await phase('patch');
  const result = {
    commit: gitCommit(), date: new Date().toISOString(), creates: N,
    withoutWebhook: none, noopMutatingWebhook: noop, patchingMutatingWebhook: patched,
    addedP50Ms: { noop: round(noop.p50 - none.p50), patch: round(patched.p50 - none.p50) },
    targetAddedP50Ms: 3,
  };
  console.log('phase                      p50 ms   p90 ms   p99 ms');
  for (const [n, r] of [['no webhook', none], ['no-op mutating webhook', noop], ['patching mutating webhook', patched]]) {
    console.log(`${n.padEnd(26)} ${String(r.p50).padStart(6)}   ${String(r.p90).padStart(6)}   ${String(r.p99).padStart(6)}`);
  }
  console.log(`added at p50: no-op ${result.addedP50Ms.noop} ms, patch ${result.addedP50Ms.patch} ms (target ≤ 3 ms)`);
  console.log(`wrote ${saveResult('webhook', result)}`);
} finally {
  agent.destroy();
  await stop(s);
  hook.close();
  rmSync(dir, { recursive: true, force: true });
}
