// `make bench`: runs the scenarios named in $BENCH (space-separated) at their default sizes, or all
// of them: api (bench/apiserver.mjs), density, scheduler, startup. Names of bench/apiserver.mjs's own
// scenarios (creates, watch, list) run just those. Each script is its own process, one at a time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const SCRIPTS = { api: 'apiserver.mjs', density: 'density.mjs', scheduler: 'scheduler.mjs', startup: 'startup.mjs' };
const API_PARTS = ['creates', 'watch', 'list'];
const names = (process.env.BENCH ?? '').split(/\s+/).filter(Boolean);
const selected = names.length ? names : Object.keys(SCRIPTS);
const unknown = selected.filter((n) => !SCRIPTS[n] && !API_PARTS.includes(n));
if (unknown.length) {
  console.error(`unknown bench scenario(s): ${unknown.join(', ')}; choose from ${[...Object.keys(SCRIPTS), ...API_PARTS].join(', ')}`);
  process.exit(2);
}
const apiParts = selected.filter((n) => API_PARTS.includes(n));
const plan = [];
if (apiParts.length && !selected.includes('api')) plan.push(['apiserver.mjs', apiParts]);
for (const n of selected) if (SCRIPTS[n]) plan.push([SCRIPTS[n], []]);
for (const [script, args] of plan) {
  console.log(`\n=== node bench/${script} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`bench/${script} failed (${r.status ?? r.signal})`); process.exit(1); }
}
