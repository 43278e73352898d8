import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo } from '../nodeinfo.js';
import { CycleState, Code, type Node, type NodeScore, type Pod } from '../types.js';
import { TaintToleration } from './tainttoleration.js';
import { NodeAffinity } from './nodeaffinity.js';
import { NodePorts, NodeUnschedulable, NodeName, SchedulingGates, PrioritySort } from './simple.js';
import { NodeResourcesBalancedAllocation, NodeResourcesFit, balancedScore, brokenLinear, leastRequestedScore, mostRequestedScore } from './noderesources.js';
import { defaultNormalizeScore } from './helpers.js';

const mkNode = (name: string, o: Partial<Node['spec']> & { labels?: Record<string, string>; alloc?: Record<string, string> } = {}): NodeInfo => {
  const ni = new NodeInfo(name);
  ni.setNode({ metadata: { name, labels: o.labels }, spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { allocatable: o.alloc ?? { cpu: '4', memory: '8Gi', pods: '110' } } });
  return ni;
};
const mkPod = (name: string, spec: Partial<Pod['spec']> = {}, requests?: Record<string, string>): Pod => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', ...(requests ? { resources: { requests } } : {}) }], ...spec },
});
const st = () => new CycleState();

test('TaintToleration filter: table', () => {
  const p = new TaintToleration();
  const cases: { taints: Node['spec'] extends infer _ ? { key: string; value?: string; effect: string }[] : never; tol?: Pod['spec']['tolerations']; want: string | null }[] = [
    { taints: [], want: null },
    { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }], want: 'node(s) had untolerated taint {a: b}' },
    { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], want: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }' },
    { taints: [{ key: 'a', value: 'b', effect: 'PreferNoSchedule' }], want: null },
    { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }], tol: [{ key: 'a', operator: 'Equal', value: 'b', effect: 'NoSchedule' }], want: null },
    { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }], tol: [{ key: 'a', operator: 'Exists' }], want: null },
    { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }], tol: [{ operator: 'Exists' }], want: null },
    { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }], tol: [{ key: 'a', value: 'c' }], want: 'node(s) had untolerated taint {a: b}' },
    { taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }], tol: [{ key: 'a', value: 'b', effect: 'NoExecute' }], want: 'node(s) had untolerated taint {a: b}' },
  ];
  for (const c of cases) {
    const r = p.filter(st(), mkPod('p', { tolerations: c.tol }), mkNode('n', { taints: c.taints }));
    if (c.want === null) assert.ok(r.isSuccess(), JSON.stringify(c));
    else { assert.equal(r.code, Code.UnschedulableAndUnresolvable); assert.deepEqual(r.reasons, [c.want]); }
  }
});

test('TaintToleration score: fewer intolerable PreferNoSchedule taints score higher, reversed normalization', () => {
  const p = new TaintToleration();
  const pod = mkPod('p', { tolerations: [{ key: 'ok', operator: 'Exists', effect: 'PreferNoSchedule' }] });
  const nodes = [
    mkNode('zero', { taints: [{ key: 'ok', effect: 'PreferNoSchedule' }] }),
    mkNode('one', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
    mkNode('two', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }, { key: 'y', effect: 'PreferNoSchedule' }, { key: 'z', effect: 'NoSchedule' }] }),
  ];
  const scores = nodes.map((n) => ({ name: n.name, score: p.score(st(), pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [0, 1, 2]);
  p.normalizeScore(st(), pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 50, 0]);
});

test('defaultNormalizeScore: integer scaling, all-zero, reverse', () => {
  const s: NodeScore[] = [{ name: 'a', score: 1 }, { name: 'b', score: 3 }, { name: 'c', score: 0 }];
  defaultNormalizeScore(100, false, s);
  assert.deepEqual(s.map((x) => x.score), [33, 100, 0]);
  const z: NodeScore[] = [{ name: 'a', score: 0 }];
  defaultNormalizeScore(100, true, z);
  assert.equal(z[0].score, 100);
});

test('NodeAffinity: nodeSelector, required terms (OR of ANDs), operators, matchFields, preferred weights', () => {
  const p = new NodeAffinity();
  const n = mkNode('n1', { labels: { zone: 'a', gen: '5' } });
  const req = (terms: unknown[]) => mkPod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as never } } } });
  const ok = (pod: Pod) => p.filter(st(), pod, n).isSuccess();
  assert.ok(ok(mkPod('p', { nodeSelector: { zone: 'a' } })));
  assert.ok(!ok(mkPod('p', { nodeSelector: { zone: 'b' } })));
  assert.deepEqual(p.filter(st(), mkPod('p', { nodeSelector: { zone: 'b' } }), n).reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  assert.ok(ok(req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }])));
  assert.ok(!ok(req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }])));
  assert.ok(ok(req([{ matchExpressions: [{ key: 'nope', operator: 'DoesNotExist' }, { key: 'zone', operator: 'Exists' }] }])));
  assert.ok(ok(req([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }])));
  assert.ok(!ok(req([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }])));
  assert.ok(!ok(req([{ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['x'] }] }])), 'non-integer Gt never matches');
  assert.ok(ok(req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }])));
  assert.ok(!ok(req([{}])), 'an empty term matches nothing');
  assert.ok(!ok(req([])), 'no terms match nothing');
  // PreFilter narrows to matchFields names
  const pf = p.preFilter(st(), req([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'n2'] }] }]));
  assert.deepEqual([...pf.result!.nodeNames!], ['n1', 'n2']);
  assert.equal(p.preFilter(st(), req([{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }])).result, undefined);
  // preferred: sum of matching weights, normalized against the best
  const pref = mkPod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
    { weight: 30, preference: { matchExpressions: [{ key: 'gen', operator: 'Exists' }] } },
  ] } } });
  const other = mkNode('n2', { labels: { zone: 'a' } });
  const scores = [n, other, mkNode('n3')].map((x) => ({ name: x.name, score: p.score(st(), pref, x) }));
  assert.deepEqual(scores.map((s) => s.score), [40, 10, 0]);
  p.normalizeScore(st(), pref, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 25, 0]);
});

test('NodeUnschedulable, NodeName, SchedulingGates, PrioritySort', () => {
  const u = new NodeUnschedulable();
  const cordoned = mkNode('c', { unschedulable: true });
  assert.deepEqual(u.filter(st(), mkPod('p'), cordoned).reasons, ['node(s) were unschedulable']);
  assert.ok(u.filter(st(), mkPod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), cordoned).isSuccess());
  const nn = new NodeName();
  assert.ok(nn.filter(st(), mkPod('p', { nodeName: 'c' }), cordoned).isSuccess());
  assert.deepEqual(nn.filter(st(), mkPod('p', { nodeName: 'x' }), cordoned).reasons, ["node(s) didn't match the requested node name"]);
  const g = new SchedulingGates();
  assert.ok(g.preEnqueue(mkPod('p')).isSuccess());
  assert.deepEqual(g.preEnqueue(mkPod('p', { schedulingGates: [{ name: 'a' }, { name: 'b' }] })).reasons, ['waiting for scheduling gates: [a b]']);
  const ps = new PrioritySort();
  const q = (priority: number, timestamp: number) => ({ pod: mkPod('p', { priority }), timestamp, attempts: 0, unschedulablePlugins: new Set<string>() });
  assert.ok(ps.less(q(10, 5), q(1, 1)));
  assert.ok(ps.less(q(1, 1), q(1, 2)));
  assert.ok(!ps.less(q(1, 2), q(1, 1)));
});

test('NodePorts: same protocol and port conflict unless host IPs differ', () => {
  const p = new NodePorts();
  const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: string): Pod => ({
    metadata: { name, namespace: 'd' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] } });
  const n = mkNode('n');
  n.addPod(withPort('a', 8080, '10.0.0.1'));
  const check = (pod: Pod) => { const s = st(); p.preFilter(s, pod); return p.filter(s, pod, n).isSuccess(); };
  assert.ok(!check(withPort('b', 8080)), '0.0.0.0 conflicts with any IP');
  assert.ok(!check(withPort('b', 8080, '10.0.0.1')));
  assert.ok(check(withPort('b', 8080, '10.0.0.2')));
  assert.ok(check(withPort('b', 8080, '10.0.0.1', 'UDP')));
  assert.ok(check(withPort('b', 9090)));
  assert.equal(p.filter(st(), withPort('b', 8080), n).reasons[0], "node(s) didn't have free ports for the requested pod ports");
  n.removePod(withPort('a', 8080, '10.0.0.1'));
  assert.ok(check(withPort('b', 8080)), 'ports are released when the pod goes');
});

test('NodeResourcesFit filter: reasons in upstream order, init containers, overhead, pod count', () => {
  const p = new NodeResourcesFit();
  const n = mkNode('n', { alloc: { cpu: '2', memory: '1Gi', pods: '2', 'example.com/gpu': '1' } });
  n.addPod(mkPod('existing', {}, { cpu: '1', memory: '512Mi' }));
  const fit = (pod: Pod) => { const s = st(); p.preFilter(s, pod); return p.filter(s, pod, n); };
  assert.ok(fit(mkPod('a', {}, { cpu: '1', memory: '512Mi' })).isSuccess());
  assert.deepEqual(fit(mkPod('a', {}, { cpu: '1500m', memory: '1Gi', 'example.com/gpu': '2' })).reasons, ['Insufficient cpu', 'Insufficient memory', 'Insufficient example.com/gpu']);
  assert.equal(fit(mkPod('a', {}, { cpu: '1500m' })).code, Code.Unschedulable);
  // an init container bigger than the sum of regular containers counts
  assert.deepEqual(fit(mkPod('a', { initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }] }, { cpu: '100m' })).reasons, ['Insufficient cpu']);
  // overhead is added on top
  assert.deepEqual(fit(mkPod('a', { overhead: { cpu: '600m' } }, { cpu: '500m' })).reasons, ['Insufficient cpu']);
  n.addPod(mkPod('second'));
  assert.deepEqual(fit(mkPod('a')).reasons, ['Too many pods']);
});

test('resource scoring formulas as upstream', () => {
  assert.equal(leastRequestedScore(0, 4000), 100);
  assert.equal(leastRequestedScore(3000, 4000), 25);
  assert.equal(leastRequestedScore(1000, 3000), 66);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  assert.equal(mostRequestedScore(1000, 3000), 33);
  assert.equal(mostRequestedScore(5000, 4000), 100);
  assert.equal(mostRequestedScore(1, 0), 0);
  const f = brokenLinear([{ utilization: 0, score: 0 }, { utilization: 50, score: 100 }, { utilization: 100, score: 0 }]);
  assert.deepEqual([0, 25, 50, 75, 100].map(f), [0, 50, 100, 50, 0]);
  assert.equal(balancedScore([1, 2], [4, 4]), 87); // fractions .25 and .5 → std .125
  assert.equal(balancedScore([2, 2], [4, 4]), 100);
  assert.equal(balancedScore([5, 0], [4, 4]), 50); // capped at 1
  assert.equal(balancedScore([1, 2, 8, 5], [4, 4, 4, 0]), 68); // no allocatable: left out; 8/4 capped at 1 → std of .25, .5, 1 is .312
  assert.equal(balancedScore([1, 2, 3], [4, 4, 4]), Math.trunc((1 - Math.sqrt(((0.25 - 0.5) ** 2 + 0 + 0.25 ** 2) / 3)) * 100));
});

test('NodeResourcesFit score: LeastAllocated with non-zero defaults, MostAllocated, RequestedToCapacityRatio, weights', () => {
  const n = mkNode('n', { alloc: { cpu: '4', memory: '4Gi', pods: '110' } });
  n.addPod(mkPod('e', {}, { cpu: '1', memory: '1Gi' }));
  const pod = mkPod('p', {}, { cpu: '1', memory: '1Gi' });
  const score = (p: NodeResourcesFit, x = pod) => { const s = st(); p.preScore(s, x); return p.score(s, x, n); };
  assert.equal(score(new NodeResourcesFit()), 50); // cpu (4-2)/4, memory (4-2)/4
  // a pod without requests counts as 100m / 200Mi for scoring
  assert.equal(score(new NodeResourcesFit(), mkPod('be')), Math.trunc((Math.trunc((2900 * 100) / 4000) + Math.trunc(((4096 - 1024 - 200) * 100) / 4096)) / 2));
  assert.equal(score(new NodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } })), 50);
  const weighted = new NodeResourcesFit({ scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } });
  n.addPod(mkPod('more', {}, { cpu: '1' }));
  // 'more' counts 200Mi of memory for scoring (non-zero default), so memory is at 2248Mi of 4096Mi
  assert.equal(score(weighted), Math.trunc((75 * 3 + Math.trunc((2248 * 100) / 4096)) / 4));
  const ratio = new NodeResourcesFit({ scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } });
  assert.equal(score(ratio), Math.round((75 + 54) / 2));
  const bal = new NodeResourcesBalancedAllocation();
  const s = st(); bal.preScore(s, pod);
  assert.equal(bal.score(s, pod, n), Math.trunc((1 - Math.abs((0.75 - 0.5) / 2)) * 100));
});
