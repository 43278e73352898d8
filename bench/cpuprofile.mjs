// Summarises a V8 .cpuprofile (e.g. from KUMO_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"):
// the functions with the most self time and the most inclusive time, as % of the profile.
// Usage: node bench/cpuprofile.mjs FILE.cpuprofile [rows=30]
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (!file) { console.error('usage: node bench/cpuprofile.mjs FILE.cpuprofile [rows]'); process.exit(2); }
const rows = Number(rowsArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const hits = new Map();
let total = 0;
p.samples.forEach((id, i) => { const d = p.timeDeltas[i] ?? 0; total += d; hits.set(id, (hits.get(id) ?? 0) + d); });
const self = new Map();
const incl = new Map();
for (const [id, d] of hits) {
  const k = name(byId.get(id));
  self.set(k, (self.get(k) ?? 0) + d);
  // each function once per sample, however often it recurses
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const kk = name(byId.get(cur));
    if (!seen.has(kk)) { seen.add(kk); incl.set(kk, (incl.get(kk) ?? 0) + d); }
  }
}
const show = (title, m) => {
  console.log(`--- ${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`${(100 * v / total).toFixed(1).padStart(5)} % ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show('self', self);
show('inclusive', incl);
