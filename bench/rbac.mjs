// RBAC authorization benchmark (issue: security). The cost the authorizer adds to one request:
// Node,RBAC decisions over the bootstrap policy plus N Roles and N RoleBindings (spread over
// namespaces, several users), timed per call in process on the compiled authorizer (the same code
// `kumo server` runs; the HTTP layer is not part of the added cost). Also times the lazy index
// rebuild after a binding changes. Prints JSON (issue target: p50 ≤ 0.1 ms with 1,000 roles and
// bindings). Not a test: nothing here asserts a time.
//   node bench/rbac.mjs [roles-and-bindings] [decisions]
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { buildAuthorizer } = await import(join(ROOT, 'dist/apiserver/authz/index.js'));
const { clusterRoles, clusterRoleBindings } = await import(join(ROOT, 'dist/apiserver/authz/bootstrappolicy.js'));
const { aggregatedRules } = await import(join(ROOT, 'dist/apiserver/authz/aggregation.js'));
const { FakeCache } = await import(join(ROOT, 'dist/apiserver/authz/testutil.js'));

const N = Number(process.argv[2]) || 1000;
const DECISIONS = Number(process.argv[3]) || 200_000;
const NAMESPACES = 100;
const G = 'rbac.authorization.k8s.io';
const round = (x, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (s, p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];

const cache = new FakeCache();
const roles = clusterRoles();
for (let i = 0; i < 4; i++) for (const r of roles) { const a = aggregatedRules(r, roles); if (a) r.rules = a; }
for (const r of roles) cache.put('clusterroles', r);
for (const b of clusterRoleBindings()) cache.put('clusterrolebindings', b);
for (let i = 0; i < N; i++) {
  const ns = `ns-${i % NAMESPACES}`;
  cache.put('roles', { metadata: { name: `role-${i}`, namespace: ns }, rules: [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps', `things-${i}`] },
    { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: [`app-${i}`] },
  ] });
  const subject = i % 3 === 0 ? { kind: 'Group', name: `group-${i % 50}`, apiGroup: G }
    : i % 3 === 1 ? { kind: 'ServiceAccount', name: `sa-${i}`, namespace: ns } : { kind: 'User', name: `user-${i % 200}`, apiGroup: G };
  cache.put('rolebindings', { metadata: { name: `rb-${i}`, namespace: ns }, roleRef: { apiGroup: G, kind: 'Role', name: `role-${i}` }, subjects: [subject] });
}

const z = buildAuthorizer(['Node', 'RBAC'], { lookup: cache.lookup });
const attrs = (user, verb, resource, namespace, extra = {}) =>
  ({ user, verb, isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace, resource, subresource: '', name: '', ...extra });
// a mix of allowed and denied requests by users with and without bindings
const cases = [];
for (let i = 0; i < 500; i++) {
  const ns = `ns-${i % NAMESPACES}`;
  const user = { name: `user-${i % 200}`, groups: [`group-${i % 50}`, 'system:authenticated'] };
  cases.push(attrs(user, 'list', 'configmaps', ns));
  cases.push(attrs(user, 'delete', 'secrets', ns));
  cases.push(attrs({ name: `system:serviceaccount:${ns}:sa-${i}`, groups: ['system:serviceaccounts', 'system:authenticated'] }, 'get', 'configmaps', ns, { name: 'x' }));
  cases.push({ ...attrs(user, 'get', ''), isResourceRequest: false, path: '/apis/apps/v1' });
}

// warm up (and build the index once)
for (let i = 0; i < 20_000; i++) await z.authorize(cases[i % cases.length]);
const times = new Float64Array(DECISIONS);
let allowed = 0;
for (let i = 0; i < DECISIONS; i++) {
  const t0 = performance.now();
  const d = await z.authorize(cases[i % cases.length]);
  times[i] = performance.now() - t0;
  if (d.decision === 'allow') allowed++;
}
const sorted = [...times].sort((a, b) => a - b);

// the lazy rebuild after a change: one binding edited, then the next decision pays for the index
const rebuilds = [];
for (let i = 0; i < 20; i++) {
  cache.put('rolebindings', { metadata: { name: 'rb-0', namespace: 'ns-0' }, roleRef: { apiGroup: G, kind: 'Role', name: 'role-0' }, subjects: [{ kind: 'User', name: `changed-${i}`, apiGroup: G }] });
  const t0 = performance.now();
  await z.authorize(cases[0]);
  rebuilds.push(performance.now() - t0);
}
rebuilds.sort((a, b) => a - b);

console.log(JSON.stringify({
  bench: 'rbac', roles: N, roleBindings: N, namespaces: NAMESPACES, decisions: DECISIONS, allowedShare: round(allowed / DECISIONS, 3),
  decisionMs: { p50: round(pct(sorted, 50)), p90: round(pct(sorted, 90)), p99: round(pct(sorted, 99)) },
  rebuildAfterChangeMs: { p50: round(pct(rebuilds, 50), 3), max: round(rebuilds.at(-1), 3) },
  target: { p50Ms: 0.1 }, node: process.version,
}, null, 2));
