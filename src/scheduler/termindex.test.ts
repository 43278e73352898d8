import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TermIndex, termSignature } from './termindex.js';
import { newAffinityTerm, type AffinityTerm } from './plugins/affinityterm.js';
import { Cache } from './nodeinfo.js';
import type { Pod, PodAffinityTerm } from './types.js';

const owner = (ns = 'default', labels: Record<string, string> = {}): Pod => ({ metadata: { name: 'o', namespace: ns, labels }, spec: { containers: [] } });
const term = (t: Partial<PodAffinityTerm>, ns = 'default', weight = 0): AffinityTerm =>
  newAffinityTerm(owner(ns), { topologyKey: 'kubernetes.io/hostname', ...t }, weight);
const names = (ix: TermIndex, labels: Record<string, string>) => [...ix.candidates(labels)].map((g) => g.term.selector.toString()).sort();

test('termSignature: equal for the same term of different pods, different for any field that changes matching', () => {
  const a = term({ labelSelector: { matchLabels: { app: 'web' } } });
  assert.equal(termSignature(a), termSignature(term({ labelSelector: { matchLabels: { app: 'web' } } })));
  for (const other of [
    term({ labelSelector: { matchLabels: { app: 'db' } } }),
    term({ labelSelector: { matchLabels: { app: 'web' } } }, 'prod'),
    term({ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }),
    term({ labelSelector: { matchLabels: { app: 'web' } }, namespaceSelector: {} }),
    term({ labelSelector: { matchLabels: { app: 'web' } } }, 'default', 5),
    term({ labelSelector: undefined }),
    term({ labelSelector: {} }),
  ]) assert.notEqual(termSignature(other), termSignature(a), termSignature(other));
  // nil selector (matches nothing) and {} (matches everything) must not share a group
  assert.notEqual(termSignature(term({ labelSelector: undefined })), termSignature(term({ labelSelector: {} })));
});

test('TermIndex: groups identical terms, counts per node, narrows by a required label pair, drops empty groups', () => {
  const ix = new TermIndex();
  const web = () => term({ labelSelector: { matchLabels: { app: 'web' } } });
  ix.add(web(), 'n1'); ix.add(web(), 'n1'); ix.add(web(), 'n2');
  ix.add(term({ labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] } }), 'n3');
  ix.add(term({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } }), 'n3');
  ix.add(term({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x'] }] } }), 'n4');
  assert.equal(ix.size, 4);
  const g = [...ix.candidates({ app: 'web' })].find((x) => x.term.selector.toString() === 'app=web');
  assert.deepEqual([...g!.nodes].sort(), [['n1', 2], ['n2', 1]]);
  // unindexed selectors (exists, notin) are always candidates; `in` is found through each of its values
  assert.deepEqual(names(ix, { app: 'web' }), ['app notin (x)', 'app', 'app=web'].sort());
  assert.deepEqual(names(ix, { tier: 'b' }), ['app notin (x)', 'app', 'tier in (a,b)'].sort());
  assert.deepEqual(names(ix, { tier: 'c' }), ['app notin (x)', 'app'].sort());
  assert.deepEqual(names(ix, {}), ['app notin (x)', 'app'].sort());
  ix.remove(web(), 'n1');
  assert.equal(g!.nodes.get('n1'), 1);
  ix.remove(web(), 'n1'); ix.remove(web(), 'n2');
  assert.equal(ix.size, 3);
  assert.deepEqual(names(ix, { app: 'web' }), ['app notin (x)', 'app'].sort());
  // removing what was never added is a no-op
  ix.remove(term({ labelSelector: { matchLabels: { app: 'ghost' } } }), 'n1');
  assert.equal(ix.size, 3);
});

test('Cache: affinity term indexes follow pod add, assume, bind and delete', () => {
  const c = new Cache();
  c.addNode({ metadata: { name: 'n1', labels: {} } });
  const p: Pod = { metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [], affinity: { podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 3, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' } }],
    } } } };
  c.assumePod(p, 'n1');
  const req = () => [...c.affinityTerms.requiredAntiAffinity.candidates({ app: 'web' })];
  assert.deepEqual(req().map((g) => [...g.nodes]), [[['n1', 1]]]);
  assert.equal(c.affinityTerms.preferredAntiAffinity.size, 1);
  c.addPod({ ...p, spec: { ...p.spec, nodeName: 'n1' } }); // the binding observed replaces the assumed pod
  assert.deepEqual(req().map((g) => [...g.nodes]), [[['n1', 1]]]);
  c.removePod(p);
  assert.equal(c.affinityTerms.requiredAntiAffinity.size, 0);
  assert.equal(c.affinityTerms.preferredAntiAffinity.size, 0);
});

test('Cache.topologyDomains: nodes per value among nodes with every key, recomputed when labels change', () => {
  const c = new Cache();
  const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });
  c.addNode(node('a', { zone: 'z1' })); c.addNode(node('b', { zone: 'z1' })); c.addNode(node('c', { zone: 'z2' })); c.addNode(node('d', {}));
  const d = c.topologyDomains(['zone', 'kubernetes.io/hostname']);
  assert.deepEqual([...d.get('zone')!], [['z1', 2], ['z2', 1]]);
  assert.equal(d.get('kubernetes.io/hostname')!.size, 3); // d lacks zone
  assert.equal(c.topologyDomains(['kubernetes.io/hostname', 'zone']), d, 'memoized whatever the key order');
  c.updateNode(node('a', { zone: 'z1' })); // same labels (a heartbeat): kept
  assert.equal(c.topologyDomains(['zone']).get('zone')!.get('z1'), 2);
  c.updateNode(node('d', { zone: 'z3' }));
  assert.deepEqual([...c.topologyDomains(['zone']).get('zone')!].sort(), [['z1', 2], ['z2', 1], ['z3', 1]]);
  c.removeNode('c');
  assert.deepEqual([...c.topologyDomains(['zone']).get('zone')!].sort(), [['z1', 2], ['z3', 1]]);
});

test('SpreadCounts: built from the candidates once, then follows pod changes; least recently used entries go first', async () => {
  const { SpreadCounts } = await import('./spreadcounts.js');
  const { selectorFromSet } = await import('../machinery/labels/selector.js');
  const zone = (z: string) => ({ 'kubernetes.io/hostname': 'h', zone: z });
  const pod = (name: string, labels: Record<string, string>, ns = 'default', deleting = false): Pod =>
    ({ metadata: { name, namespace: ns, labels, ...(deleting ? { deletionTimestamp: 'x' } : {}) }, spec: { containers: [] } });
  const sc = new SpreadCounts(3);
  let scans = 0;
  const existing = [
    { pod: pod('a', { app: 'web' }), node: 'n1', nodeLabels: zone('z1') },
    { pod: pod('b', { app: 'web' }), node: 'n2', nodeLabels: zone('z1') },
    { pod: pod('c', { app: 'web' }, 'other'), node: 'n3', nodeLabels: zone('z2') }, // other namespace
    { pod: pod('d', { app: 'web' }, 'default', true), node: 'n4', nodeLabels: zone('z2') }, // terminating
    { pod: pod('e', { app: 'web' }), node: 'n5', nodeLabels: { 'kubernetes.io/hostname': 'h' } }, // node lacks the zone key
    { pod: pod('f', { app: 'db' }), node: 'n6', nodeLabels: zone('z3') },
  ];
  const web = () => sc.get('default', selectorFromSet({ app: 'web' }), ['zone', 'kubernetes.io/hostname'], 'zone', () => { scans++; return existing; });
  const e = web();
  assert.deepEqual([...e.counts], [['z1', 2]]);
  assert.equal(e.minCount(), 2);
  assert.equal(web(), e); assert.equal(scans, 1);
  sc.podChanged({ pod: pod('g', { app: 'web' }), node: 'n7', nodeLabels: zone('z2') }, 1);
  sc.podChanged({ pod: pod('h', { app: 'db' }), node: 'n8', nodeLabels: zone('z2') }, 1); // not matching
  assert.deepEqual([...e.counts].sort(), [['z1', 2], ['z2', 1]]);
  assert.equal(e.minCount(), 1);
  sc.podChanged({ pod: pod('g', { app: 'web' }), node: 'n7', nodeLabels: zone('z2') }, -1);
  assert.deepEqual([...e.counts], [['z1', 2]], 'a domain that drops to 0 is removed');
  // capacity 3: using three more entries evicts the web one, which is then rebuilt from a scan
  sc.get('default', selectorFromSet({ app: 'db' }), ['zone'], 'zone', () => existing);
  sc.get('other', selectorFromSet({ app: 'web' }), ['zone'], 'zone', () => existing);
  sc.get('other', selectorFromSet({ app: 'db' }), ['zone'], 'zone', () => existing);
  assert.equal(sc.size, 3);
  assert.notEqual(web(), e); assert.equal(scans, 2);
  // without required keys, a node missing the key counts under ""; BY_NODE_NAME counts per node
  const { BY_NODE_NAME } = await import('./spreadcounts.js');
  assert.deepEqual([...sc.get('default', selectorFromSet({ app: 'web' }), [], 'zone', () => existing).counts].sort(), [['', 1], ['z1', 2]]);
  assert.deepEqual([...sc.get('default', selectorFromSet({ app: 'web' }), [], BY_NODE_NAME, () => existing).counts].sort(), [['n1', 1], ['n2', 1], ['n5', 1]]);
  sc.clear();
  assert.equal(sc.size, 0);
});
