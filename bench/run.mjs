// `make bench`: runs the scenarios named in $BENCH (space-separated) at their quick sizes, or all of
// them: api (bench/apiserver.mjs), density, churn, scheduler, startup, controllers, crd, apply, webhook. Names of bench/apiserver.mjs's
// own scenarios (creates, verbs, watch, list) run just those. BENCH_SCALE=1 (`make bench-scale`) uses the
// full envelope sizes instead (5,000 nodes, 150,000 pods; tens of minutes at least). Each script is
// its own process, one at a time.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const scale = ['1', 'true', 'yes'].includes(process.env.BENCH_SCALE ?? '');
// script and its arguments: quick (make bench) / full envelope (make bench-scale)
const SCRIPTS = {
  api: ['apiserver.mjs', [], []],
  // nodes, pods, pods per Deployment, pods/s
  density: ['density.mjs', ['100', '2000', '100', '200'], ['5000', '150000', '100', '1000']],
  // nodes, pods, churn seconds, pod deletes/s, a node failure every N s, tolerationSeconds
  churn: ['churn.mjs', ['50', '1000', '60', '5', '20', '10'], ['200', '3000', '180', '10', '15', '10']],
  // nodes, pods
  scheduler: ['scheduler.mjs', ['1000', '5000'], ['5000', '50000']],
  // objects, repeats
  startup: ['startup.mjs', ['30000', '3'], ['150000', '3']],
  // 3,000-replica Deployment + rolling update, namespace deletion, controller-manager memory with N pods
  controllers: ['controllers.mjs', ['--informer-pods', '30000'], ['--informer-pods', '150000']],
  // custom resource vs ConfigMap creates
  crd: ['crd.mjs', ['3000'], ['10000']],
  // server-side apply of an unchanged Deployment; a mutating webhook round trip
  apply: ['apply.mjs', [], []],
  webhook: ['webhook.mjs', [], []],
};
const API_PARTS = ['creates', 'verbs', 'watch', 'list'];
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
for (const n of selected) if (SCRIPTS[n]) plan.push([SCRIPTS[n][0], SCRIPTS[n][scale ? 2 : 1]]);
for (const [script, args] of plan) {
  console.log(`\n=== node bench/${script} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', script), ...args], { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`bench/${script} failed (${r.status ?? r.signal})`); process.exit(1); }
}
