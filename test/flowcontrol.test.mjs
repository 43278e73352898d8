// API Priority and Fairness: the bootstrap FlowSchemas and PriorityLevelConfigurations are served
// with upstream's columns; responses name the FlowSchema and priority level that admitted them; a
// Limited level with limitResponse Reject refuses requests beyond its seats with upstream's plain
// 429 and Retry-After while exempt (system:masters) requests are never limited; a FlowSchema
// naming a missing level is Dangling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let s;
before(async () => {
  // 2 seats for the whole server: the test's own level gets exactly one
  s = await startServer({ args: ['--controllers', 'serviceaccount,root-ca-cert-publisher,namespace', '--max-requests-inflight', '1', '--max-mutating-requests-inflight', '1'] });
});
after(async () => { await s?.stop(); s?.cleanup(); });

const FC = '/apis/flowcontrol.apiserver.k8s.io/v1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('bootstrap configuration with upstream columns; responses carry the FlowSchema and level UIDs', async () => {
  const fs = await s.kubectl(['get', 'flowschemas']);
  assert.equal(fs.code, 0, fs.stderr);
  assert.match(fs.stdout, /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/m);
  assert.match(fs.stdout, /^exempt\s+exempt\s+1\s+<none>|^exempt\s+exempt\s+1\s+\*/m);
  assert.match(fs.stdout, /^catch-all\s+catch-all\s+10000\s+ByUser\s+\S+\s+False$/m);
  assert.match(fs.stdout, /^global-default\s+global-default\s+9900\s+ByUser/m);
  const pl = await s.kubectl(['get', 'prioritylevelconfigurations']);
  assert.match(pl.stdout, /^NAME\s+TYPE\s+NOMINALCONCURRENCYSHARES\s+QUEUES\s+HANDSIZE\s+QUEUELENGTHLIMIT\s+AGE$/m);
  assert.match(pl.stdout, /^exempt\s+Exempt\s+<none>\s+<none>\s+<none>\s+<none>/m);
  assert.match(pl.stdout, /^workload-low\s+Limited\s+100\s+128\s+6\s+50/m);
  assert.match(pl.stdout, /^catch-all\s+Limited\s+5\s+<none>\s+<none>\s+<none>/m);
  const r = await s.request('GET', '/api/v1/namespaces');
  const exempt = (await s.request('GET', `${FC}/flowschemas/exempt`)).json;
  assert.equal(r.headers['x-kubernetes-pf-flowschema-uid'], exempt.metadata.uid, 'admin (system:masters) is exempt');
  const exemptPL = (await s.request('GET', `${FC}/prioritylevelconfigurations/exempt`)).json;
  assert.equal(r.headers['x-kubernetes-pf-prioritylevel-uid'], exemptPL.metadata.uid);
});

test('a Reject level refuses requests beyond its seats with a plain 429; exempt requests pass', async () => {
  let r = await s.request('POST', `${FC}/prioritylevelconfigurations`, { body: {
    metadata: { name: 'tiny' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Reject' } } } } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.spec.limited.lendablePercent, 0, 'defaults filled');
  r = await s.request('POST', `${FC}/flowschemas`, { body: {
    metadata: { name: 'slowpoke' }, spec: { priorityLevelConfiguration: { name: 'tiny' }, matchingPrecedence: 50, distinguisherMethod: { type: 'ByUser' },
      rules: [{ subjects: [{ kind: 'User', user: { name: 'slowpoke' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] } } });
  assert.equal(r.status, 201, r.text);
  // big responses keep a seat a little while
  const blob = 'x'.repeat(20_000);
  await Promise.all(Array.from({ length: 60 }, (_, i) => s.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: `big-${i}` }, data: { blob } } })));
  const as = { 'impersonate-user': 'slowpoke' };
  // slowpoke may list configmaps only through RBAC: grant it
  await s.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { body: {
    metadata: { name: 'slowpoke-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'slowpoke', apiGroup: 'rbac.authorization.k8s.io' }] } });
  await sleep(200);
  const [limited, exempt] = await Promise.all([
    Promise.all(Array.from({ length: 40 }, () => s.request('GET', '/api/v1/namespaces/default/configmaps', { headers: as }))),
    Promise.all(Array.from({ length: 40 }, () => s.request('GET', '/api/v1/namespaces/default/configmaps'))),
  ]);
  const refused = limited.filter((x) => x.status === 429);
  assert.ok(refused.length > 0, `some of slowpoke's requests are refused: ${limited.map((x) => x.status).join(',')}`);
  assert.ok(limited.some((x) => x.status === 200), 'some get through');
  assert.equal(refused[0].text, 'Too many requests, please try again later.\n');
  assert.equal(refused[0].headers['retry-after'], '1');
  assert.ok(exempt.every((x) => x.status === 200), 'system:masters is never limited');
  const ok = limited.find((x) => x.status === 200);
  const fsUID = (await s.request('GET', `${FC}/flowschemas/slowpoke`)).json.metadata.uid;
  assert.equal(ok.headers['x-kubernetes-pf-flowschema-uid'], fsUID);
  const metrics = (await s.request('GET', '/metrics')).text;
  assert.match(metrics, /^apiserver_flowcontrol_rejected_requests_total\{priority_level="tiny"\} [1-9]\d*$/m);
  assert.match(metrics, /^apiserver_flowcontrol_nominal_limit_seats\{priority_level="tiny"\} 1$/m);
});

test('a FlowSchema naming a missing level is Dangling; bad specs are refused with field paths', async () => {
  let r = await s.request('POST', `${FC}/flowschemas`, { body: {
    metadata: { name: 'lost' }, spec: { priorityLevelConfiguration: { name: 'nowhere' },
      rules: [{ subjects: [{ kind: 'Group', group: { name: 'x' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/x'] }] }] } } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.spec.matchingPrecedence, 1000);
  let cond;
  for (let i = 0; i < 50 && !cond; i++) {
    await s.request('GET', '/version'); // any request refreshes the configuration
    cond = (await s.request('GET', `${FC}/flowschemas/lost`)).json.status?.conditions?.find((c) => c.type === 'Dangling' && c.status === 'True');
    if (!cond) await sleep(100);
  }
  assert.ok(cond, 'Dangling=True');
  assert.equal(cond.reason, 'NotFound');
  const t = await s.kubectl(['get', 'flowschema', 'lost']);
  assert.match(t.stdout, /^lost\s+nowhere\s+1000\s+\*\s+\S+\s+True$/m);
  r = await s.request('POST', `${FC}/flowschemas`, { body: { metadata: { name: 'bad' }, spec: { priorityLevelConfiguration: { name: 'x' }, matchingPrecedence: 20000, rules: [{ subjects: [] }] } } });
  assert.equal(r.status, 422);
  assert.match(r.json.message, /spec\.matchingPrecedence: Invalid value: 20000: must be between 1 and 10000, inclusive/);
  assert.match(r.json.message, /spec\.rules\[0\]\.subjects: Required value/);
  r = await s.request('POST', `${FC}/prioritylevelconfigurations`, { body: { metadata: { name: 'bad' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 2, handSize: 4 } } } } } });
  assert.equal(r.status, 422);
  assert.match(r.json.message, /spec\.limited\.limitResponse\.queuing\.handSize: Invalid value: 4: should not be greater than queues \(2\)/);
  assert.equal((await s.request('GET', `${FC}/prioritylevelconfigurations/bad`)).status, 404, 'nothing stored');
});
