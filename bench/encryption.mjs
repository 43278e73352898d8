// Encryption-at-rest benchmark (issue: security). Secret create rate through real `kumo server`
// processes, 32 concurrent HTTPS clients as bench/apiserver.mjs, once with Secrets stored in plain
// text (identity) and once encrypted (the default aescbc config), in the same run. Rounds alternate
// so machine noise hits both (the first round also warms up); the best round of each counts. Prints JSON with the ratio
// (issue target: encrypted ≥ 80% of plain). Not a test: nothing here asserts a time.
//   node bench/encryption.mjs [creates-per-round] [rounds]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { round, pct, startServer, stop, req, gitCommit, saveResult } from './lib.mjs';

const N = Number(process.argv[2]) || 2000;
const ROUNDS = Number(process.argv[3]) || 4;
const CLIENTS = 32;

/** 32 clients create n ~1 KiB Secrets in a fresh namespace */
async function creates(s, ns, n) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: CLIENTS });
  await req(s, agent, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const data = { payload: Buffer.from('x'.repeat(700)).toString('base64') };
  let i = 0, errors = 0;
  const lat = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (i < n) {
      const name = `s-${i++}`;
      const st = performance.now();
      const r = await req(s, agent, 'POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data });
      lat.push(performance.now() - st);
      if (r.status !== 201) errors++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { creates: n, errors, creates_per_sec: round(n / secs, 0), p50_ms: round(pct(lat, 50)), p99_ms: round(pct(lat, 99)) };
}

const IDENTITY = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - identity: {}
`;

async function main() {
  const base = mkdtempSync(join(tmpdir(), 'kumo-bench-enc-'));
  const modes = {
    plain: (dir) => { writeFileSync(join(dir, 'identity.yaml'), IDENTITY); return ['--encryption-provider-config', join(dir, 'identity.yaml')]; },
    aescbc: () => [], // kumo server's default: Secrets → aescbc key1
  };
  const servers = {};
  try {
    for (const [mode, args] of Object.entries(modes)) {
      const dir = join(base, mode);
      mkdirSync(dir);
      servers[mode] = await startServer(dir, args(dir));
    }
    const rounds = { plain: [], aescbc: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // warm-up-free alternation: plain, encrypted, then the other way round
      const order = r % 2 === 0 ? ['plain', 'aescbc'] : ['aescbc', 'plain'];
      for (const mode of order) rounds[mode].push(await creates(servers[mode], `bench-${r}`, N));
    }
    const best = (xs) => xs.reduce((a, b) => (b.creates_per_sec > a.creates_per_sec ? b : a));
    const plain = best(rounds.plain), encrypted = best(rounds.aescbc);
    const result = {
      bench: 'encryption', clients: CLIENTS, creates_per_round: N, rounds: ROUNDS,
      plain, encrypted, all_rounds: rounds,
      ratio: round(encrypted.creates_per_sec / plain.creates_per_sec, 3),
      target_ratio: 0.8,
      meets_target: encrypted.creates_per_sec / plain.creates_per_sec >= 0.8,
    };
    console.log(JSON.stringify(result, null, 2));
    result.commit = gitCommit();
    saveResult('encryption', result);
  } finally {
    for (const s of Object.values(servers)) await stop(s);
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
