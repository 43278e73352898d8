import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache } from '../nodeinfo.js';
import { Listers, type Handle } from '../listers.js';
import { CycleState, Code, type NodeScore, type Pod } from '../types.js';
import { InterPodAffinity, normalizeMinMax } from './interpodaffinity.js';
import { PodTopologySpread, normalizeSpread, scoreForCount } from './podtopologyspread.js';
import { parseSchedulerConfig } from '../config.js';

const handle = (): Handle => ({ cache: new Cache(), listers: new Listers() });
const addNode = (h: Handle, name: string, labels: Record<string, string> = {}) =>
  h.cache.addNode({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
const pod = (name: string, labels: Record<string, string> = {}, spec: Partial<Pod['spec']> = {}, ns = 'default'): Pod =>
  ({ metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c' }], ...spec } });
const place = (h: Handle, p: Pod, node: string) => h.cache.addPod({ ...p, spec: { ...p.spec, nodeName: node } });
const anti = (sel: Record<string, string>, key = 'kubernetes.io/hostname') => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: sel }, topologyKey: key }] } });
const aff = (sel: Record<string, string>, key = 'kubernetes.io/hostname') => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: sel }, topologyKey: key }] } });

function filterAll(pl: InterPodAffinity | PodTopologySpread, h: Handle, p: Pod): Record<string, string> {
  const st = new CycleState();
  const pf = pl.preFilter(st, p, h.cache.nodes());
  const out: Record<string, string> = {};
  for (const n of h.cache.nodes()) {
    if (pf.status.code === Code.Skip) { out[n.name] = 'ok'; continue; }
    const r = pl.filter(st, p, n);
    out[n.name] = r.isSuccess() ? 'ok' : `${Code[r.code]}: ${r.message()}`;
  }
  return out;
}

test('cache label index: candidates narrow by the most selective requirement and follow removals', () => {
  const h = handle();
  addNode(h, 'n1');
  for (let i = 0; i < 5; i++) place(h, pod(`a${i}`, { app: 'a', tier: i === 0 ? 'x' : 'y' }), 'n1');
  place(h, pod('b', { app: 'b' }), 'n1');

  const sel2 = (ml: Record<string, string>) => { const { selectorFromSet } = lib; return selectorFromSet(ml); };

  assert.equal([...h.cache.candidates(sel2({ app: 'a', tier: 'x' }))].length, 1);
  assert.equal([...h.cache.candidates(sel2({ app: 'b' }))].length, 1);
  assert.equal([...h.cache.candidates(sel2({ app: 'zzz' }))].length, 0);
  // an `in` repeating a value yields each pod once
  assert.equal([...h.cache.candidates(lib.selectorFromLabelSelectorOrThrow({ matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'a', 'b'] }] }))].length, 6);
  h.cache.removePod(pod('b'));
  assert.equal([...h.cache.candidates(sel2({ app: 'b' }))].length, 0);
});
import * as lib from '../../machinery/labels/selector.js';

test('InterPodAffinity filter: anti-affinity, existing anti-affinity, affinity and the first-pod exception (table)', () => {
  const h = handle();
  addNode(h, 'n1', { zone: 'z1' }); addNode(h, 'n2', { zone: 'z1' }); addNode(h, 'n3', { zone: 'z2' }); addNode(h, 'bare');
  place(h, pod('web-1', { app: 'web' }), 'n1');
  place(h, pod('guard', { app: 'guard' }, { affinity: anti({ app: 'intruder' }, 'zone') }), 'n3');
  place(h, pod('other-ns', { app: 'db' }, {}, 'prod'), 'n2');
  const pl = new InterPodAffinity({}, h);
  const cases: { name: string; pod: Pod; want: Record<string, string> }[] = [
    { name: 'hostname anti-affinity', pod: pod('web-2', { app: 'web' }, { affinity: anti({ app: 'web' }) }),
      want: { n1: "Unschedulable: node(s) didn't match pod anti-affinity rules", n2: 'ok', n3: 'ok', bare: 'ok' } },
    { name: 'zone anti-affinity', pod: pod('web-2', { app: 'web' }, { affinity: anti({ app: 'web' }, 'zone') }),
      want: { n1: "Unschedulable: node(s) didn't match pod anti-affinity rules", n2: "Unschedulable: node(s) didn't match pod anti-affinity rules", n3: 'ok', bare: 'ok' } },
    { name: 'existing pod anti-affinity', pod: pod('x', { app: 'intruder' }),
      want: { n1: 'ok', n2: 'ok', n3: "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules", bare: 'ok' } },
    { name: 'zone affinity', pod: pod('x', {}, { affinity: aff({ app: 'web' }, 'zone') }),
      want: { n1: 'ok', n2: 'ok', n3: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules", bare: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules" } },
    { name: 'affinity to another namespace by default does not match', pod: pod('x', {}, { affinity: aff({ app: 'db' }) }),
      want: { n1: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules", n2: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules", n3: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules", bare: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules" } },
    { name: 'first pod of a self-affine group', pod: pod('x', { app: 'new' }, { affinity: aff({ app: 'new' }, 'zone') }),
      want: { n1: 'ok', n2: 'ok', n3: 'ok', bare: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules" } },
  ];
  for (const c of cases) assert.deepEqual(filterAll(pl, h, c.pod), c.want, c.name);
  // namespaces and namespaceSelector
  h.listers.onNamespace('ADDED', { metadata: { name: 'prod', labels: { env: 'prod' } } });
  const viaNs = pod('x', {}, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname', namespaceSelector: { matchLabels: { env: 'prod' } } }] } } });
  assert.equal(filterAll(pl, h, viaNs).n2, 'ok');
  assert.notEqual(filterAll(pl, h, viaNs).n1, 'ok');
  const viaList = pod('x', {}, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname', namespaces: ['prod'] }] } } });
  assert.equal(filterAll(pl, h, viaList).n2, 'ok');
  // mismatchLabelKeys: anti-affinity only against pods of a different tenant
  place(h, pod('t1', { app: 'job', tenant: 'a' }), 'n2');
  const mismatch = pod('t2', { app: 'job', tenant: 'b' }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'job' } }, topologyKey: 'kubernetes.io/hostname', mismatchLabelKeys: ['tenant'] }] } } });
  assert.notEqual(filterAll(pl, h, mismatch).n2, 'ok');
  const same = { ...mismatch, metadata: { ...mismatch.metadata, labels: { app: 'job', tenant: 'a' } } };
  assert.equal(filterAll(pl, h, same).n2, 'ok');
  // a pod without any affinity and no existing anti-affinity matching: PreFilter skips
  assert.equal(pl.preFilter(new CycleState(), pod('plain')).status.code, Code.Skip);
});

test('InterPodAffinity score: preferred weights, hardPodAffinityWeight, min-max normalization', () => {
  const h = handle();
  addNode(h, 'n1', { zone: 'z1' }); addNode(h, 'n2', { zone: 'z2' }); addNode(h, 'n3', { zone: 'z3' });
  place(h, pod('cache', { app: 'cache' }), 'n1');
  place(h, pod('noisy', { app: 'noisy' }), 'n2');
  place(h, pod('fan', { app: 'fan' }, { affinity: aff({ app: 'web' }, 'zone') }), 'n3');
  const pl = new InterPodAffinity({ hardPodAffinityWeight: 5 }, h);
  const p = pod('web', { app: 'web' }, { affinity: {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' } }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 20, podAffinityTerm: { labelSelector: { matchLabels: { app: 'noisy' } }, topologyKey: 'zone' } }] },
  } });
  const st = new CycleState();
  assert.equal(pl.preScore(st, p).code, Code.Success);
  const scores: NodeScore[] = h.cache.nodes().map((n) => ({ name: n.name, score: pl.score(st, p, n) }));
  assert.deepEqual(scores.map((s) => s.score), [10, -20, 5]);
  pl.normalizeScore(st, p, scores);
  // 100 × (s − min) / (max − min): (10+20)/30, 0, (5+20)/30 → 100, 0, 83
  assert.deepEqual(scores.map((s) => s.score), [100, 0, 83]);
  const flat: NodeScore[] = [{ name: 'a', score: 3 }, { name: 'b', score: 3 }];
  normalizeMinMax(flat);
  assert.deepEqual(flat.map((s) => s.score), [0, 0]);
  // nothing to score → Skip
  assert.equal(new InterPodAffinity({ hardPodAffinityWeight: 0 }, handle()).preScore(new CycleState(), pod('q')).code, Code.Skip);
});

const tsc = (o: Record<string, unknown>) => ({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...o });

test('PodTopologySpread filter: maxSkew, missing label, minDomains, nodeAffinityPolicy (table)', () => {
  const h = handle();
  addNode(h, 'a1', { zone: 'a' }); addNode(h, 'a2', { zone: 'a' }); addNode(h, 'b1', { zone: 'b' }); addNode(h, 'nolabel');
  place(h, pod('w1', { app: 'web' }), 'a1');
  place(h, pod('w2', { app: 'web' }), 'a2');
  place(h, pod('w3', { app: 'web' }), 'b1');
  place(h, pod('w4', { app: 'web' }, {}, 'other'), 'b1'); // other namespace: not counted
  const pl = new PodTopologySpread({}, h);
  const MISS = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";
  const SKEW = "Unschedulable: node(s) didn't match pod topology spread constraints";
  const cases: { name: string; c: Record<string, unknown>[]; sel?: Partial<Pod['spec']>; want: Record<string, string> }[] = [
    { name: 'zone maxSkew 1', c: [tsc({})], want: { a1: SKEW, a2: SKEW, b1: 'ok', nolabel: MISS } },
    { name: 'zone maxSkew 2', c: [tsc({ maxSkew: 2 })], want: { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: MISS } },
    { name: 'minDomains 3 > 2 domains: global min 0', c: [tsc({ maxSkew: 2, minDomains: 3 })], want: { a1: SKEW, a2: SKEW, b1: 'ok', nolabel: MISS } },
    { name: 'hostname', c: [tsc({ topologyKey: 'kubernetes.io/hostname' })], want: { a1: SKEW, a2: SKEW, b1: SKEW, nolabel: 'ok' } },
    { name: 'nodeAffinityPolicy Honor drops zone b from the domains', c: [tsc({})], sel: { nodeSelector: { zone: 'a' } }, want: { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: MISS } },
    { name: 'nodeAffinityPolicy Ignore keeps it', c: [tsc({ nodeAffinityPolicy: 'Ignore' })], sel: { nodeSelector: { zone: 'a' } }, want: { a1: SKEW, a2: SKEW, b1: 'ok', nolabel: MISS } },
  ];
  for (const c of cases) {
    const p = pod('new', { app: 'web' }, { topologySpreadConstraints: c.c as never, ...c.sel });
    assert.deepEqual(filterAll(pl, h, p), c.want, c.name);
  }
  // ScheduleAnyway only: PreFilter skips
  assert.equal(pl.preFilter(new CycleState(), pod('x', { app: 'web' }, { topologySpreadConstraints: [tsc({ whenUnsatisfiable: 'ScheduleAnyway' })] as never }), h.cache.nodes()).status.code, Code.Skip);
});

test('PodTopologySpread score: upstream formula and reversed normalization', () => {
  const h = handle();
  addNode(h, 'a1', { zone: 'a' }); addNode(h, 'a2', { zone: 'a' }); addNode(h, 'b1', { zone: 'b' }); addNode(h, 'c1', { zone: 'c' });
  place(h, pod('w1', { app: 'web' }), 'a1'); place(h, pod('w2', { app: 'web' }), 'a2'); place(h, pod('w3', { app: 'web' }), 'b1');
  const pl = new PodTopologySpread({}, h);
  const p = pod('new', { app: 'web' }, { topologySpreadConstraints: [tsc({ whenUnsatisfiable: 'ScheduleAnyway' })] as never });
  const st = new CycleState();
  const nodes = h.cache.nodes();
  assert.equal(pl.preScore(st, p, nodes).code, Code.Success);
  const scores = nodes.map((n) => ({ name: n.name, score: pl.score(st, p, n) }));
  const w = Math.log(3 + 2);
  assert.deepEqual(scores.map((s) => s.score), [Math.round(2 * w), Math.round(2 * w), Math.round(w), 0]);
  pl.normalizeScore(st, p, scores);
  const max = Math.round(2 * w), min = 0;
  assert.deepEqual(scores.map((s) => s.score), [0, 0, Math.trunc(100 * (max + min - Math.round(w)) / max), 100]);
  assert.equal(scoreForCount(4, 3, 2), 10);
  const ign: NodeScore[] = [{ name: 'x', score: 5 }, { name: 'y', score: 0 }];
  normalizeSpread(ign, new Set(['x']));
  assert.deepEqual(ign.map((s) => s.score), [0, 100]);
});

test('PodTopologySpread system defaults use the service selector; none without one', () => {
  const h = handle();
  addNode(h, 'n1', { 'topology.kubernetes.io/zone': 'a' }); addNode(h, 'n2', { 'topology.kubernetes.io/zone': 'b' });
  place(h, pod('w1', { app: 'web' }), 'n1');
  const pl = new PodTopologySpread({}, h);
  assert.equal(pl.constraints(pod('x', { app: 'web' }), 'ScheduleAnyway').length, 0, 'no service or owner: no default constraints');
  h.listers.onService('ADDED', { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } });
  const cs = pl.constraints(pod('x', { app: 'web' }), 'ScheduleAnyway');
  assert.deepEqual(cs.map((c) => [c.topologyKey, c.maxSkew, c.selector.toString()]), [['kubernetes.io/hostname', 3, 'app=web'], ['topology.kubernetes.io/zone', 5, 'app=web']]);
  assert.equal(pl.constraints(pod('x', { app: 'web' }), 'DoNotSchedule').length, 0);
  // owner ReplicaSet selector is added
  h.listers.onWorkload('ReplicaSet', 'ADDED', { metadata: { name: 'rs', namespace: 'default' }, spec: { selector: { matchLabels: { hash: '1' } } } });
  const owned = pod('y', { app: 'web', hash: '1' });
  owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', controller: true }];
  assert.equal(pl.constraints(owned, 'ScheduleAnyway')[0].selector.toString(), 'app=web,hash=1');
  const st = new CycleState();
  assert.equal(pl.preScore(st, pod('x', { app: 'web' }), h.cache.nodes()).code, Code.Success);
});

test('config: InterPodAffinity and PodTopologySpread args are validated', () => {
  const cfg = (args: string, name: string) => () => parseSchedulerConfig(`apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- pluginConfig:\n  - name: ${name}\n    args: ${args}\n`);
  assert.throws(cfg('{hardPodAffinityWeight: 101}', 'InterPodAffinity'), /hardPodAffinityWeight: Invalid value: 101: not in valid range \[0, 100\]/);
  assert.doesNotThrow(cfg('{hardPodAffinityWeight: 0}', 'InterPodAffinity'));
  assert.throws(cfg('{defaultingType: Foo}', 'PodTopologySpread'), /defaultingType: Unsupported value: "Foo"/);
  assert.throws(cfg('{defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}', 'PodTopologySpread'), /defaultingType: Invalid value: "System": when .defaultConstraints are not empty/);
  assert.throws(cfg('{defaultingType: List, defaultConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}', 'PodTopologySpread'), /maxSkew: Invalid value: 0: must be greater than zero/);
  assert.throws(cfg('{defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Never}]}', 'PodTopologySpread'), /whenUnsatisfiable: Unsupported value: "Never"/);
  assert.throws(cfg('{defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {}}]}', 'PodTopologySpread'), /labelSelector: Forbidden/);
  assert.throws(cfg('{defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}', 'PodTopologySpread'), /Duplicate value: "\{zone, DoNotSchedule\}"/);
  assert.doesNotThrow(cfg('{defaultingType: List, defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]}', 'PodTopologySpread'));
});
