import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeInfo } from '../nodeinfo.js';
import { parseSchedulerConfig } from '../config.js';
import { FitError, Framework } from '../framework.js';
import { Nominator } from '../nominator.js';
import { CycleState, Status, type Pod, type PodDisruptionBudget } from '../types.js';
import { NodeResourcesFit } from './noderesources.js';
import { TaintToleration } from './tainttoleration.js';
import {
  DefaultPreemption, filterPodsWithPDBViolation, lowerPriorityNominatedPods, moreImportantPod, numCandidates,
  pickOneNodeForPreemption, selectVictimsOnNode, type Candidate,
} from './preemption.js';

const mkNode = (name: string, cpu = '4', taints?: { key: string; value?: string; effect: string }[]): NodeInfo => {
  const ni = new NodeInfo(name);
  ni.setNode({ metadata: { name }, spec: { taints }, status: { allocatable: { cpu, memory: '8Gi', pods: '110' } } });
  return ni;
};
const mkPod = (name: string, cpu: string, priority?: number, o: { labels?: Record<string, string>; node?: string; start?: string; never?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels },
  spec: { nodeName: o.node, priority, preemptionPolicy: o.never ? 'Never' : undefined, containers: [{ name: 'c', resources: { requests: { cpu } } }] },
  status: o.start ? { startTime: o.start } : undefined,
});
const place = (ni: NodeInfo, ...pods: Pod[]) => { for (const p of pods) ni.addPod({ ...p, spec: { ...p.spec, nodeName: ni.name } }); return ni; };
const fit = new NodeResourcesFit({});
const taints = new TaintToleration();
const runFilters = (s: CycleState, p: Pod, n: NodeInfo) => {
  for (const f of [taints, fit]) { const st = f.filter(s, p, n); if (!st.isSuccess()) { st.plugin = f.name; return st; } }
  return Status.success();
};
const pdb = (name: string, labels: Record<string, string>, allowed: number, disrupted?: Record<string, string>): PodDisruptionBudget => ({
  metadata: { name, namespace: 'default' }, spec: { selector: { matchLabels: labels } }, status: { disruptionsAllowed: allowed, disruptedPods: disrupted },
});
const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

test('moreImportantPod: priority first, then earlier start', () => {
  assert.equal(moreImportantPod(mkPod('a', '1', 10), mkPod('b', '1', 5)), true);
  assert.equal(moreImportantPod(mkPod('a', '1', 5), mkPod('b', '1', 10)), false);
  assert.equal(moreImportantPod(mkPod('a', '1', 5, { start: '2024-01-01T00:00:00Z' }), mkPod('b', '1', 5, { start: '2024-01-02T00:00:00Z' })), true);
  assert.equal(moreImportantPod(mkPod('a', '1', 5, { start: '2024-01-02T00:00:00Z' }), mkPod('b', '1', 5, { start: '2024-01-01T00:00:00Z' })), false);
});

test('filterPodsWithPDBViolation: allowance is used up in order; disruptedPods, other namespaces and empty selectors do not count', () => {
  const a = mkPod('a', '1', 1, { labels: { app: 'x' } }), b = mkPod('b', '1', 1, { labels: { app: 'x' } });
  const c = mkPod('c', '1', 1, { labels: { app: 'y' } });
  let r = filterPodsWithPDBViolation([a, b, c], [pdb('x', { app: 'x' }, 1)]);
  assert.deepEqual(names(r.violating), ['b']);
  assert.deepEqual(names(r.nonViolating), ['a', 'c']);
  r = filterPodsWithPDBViolation([a, b], [pdb('x', { app: 'x' }, 0, { a: '2024-01-01T00:00:00Z' })]);
  assert.deepEqual(names(r.violating), ['b']);
  const other: PodDisruptionBudget = { ...pdb('x', { app: 'x' }, 0), metadata: { name: 'x', namespace: 'other' } };
  assert.deepEqual(names(filterPodsWithPDBViolation([a], [other]).violating), []);
  const empty: PodDisruptionBudget = { metadata: { name: 'e', namespace: 'default' }, spec: { selector: {} }, status: { disruptionsAllowed: 0 } };
  assert.deepEqual(names(filterPodsWithPDBViolation([a], [empty]).violating), []);
  const bad: PodDisruptionBudget = { metadata: { name: 'e', namespace: 'default' }, spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } }, status: { disruptionsAllowed: 0 } };
  assert.deepEqual(names(filterPodsWithPDBViolation([a], [bad]).violating), []);
});

test('selectVictimsOnNode: only lower priority, fewest needed, most important reprieved; node info restored', () => {
  const ni = place(mkNode('n', '4'), mkPod('hi', '1', 100), mkPod('lo1', '1', 1, { start: '2024-01-01T00:00:00Z' }),
    mkPod('lo2', '1', 1, { start: '2024-01-02T00:00:00Z' }), mkPod('mid', '1', 5));
  const before = ni.requested.get('cpu');
  const preemptor = mkPod('p', '2', 10);
  const r = selectVictimsOnNode(new CycleState(), preemptor, ni, [], runFilters);
  assert.ok(!(r instanceof Status));
  // needs 2 cpu: 'mid' (the most important lower pod) is reprieved; the two priority-1 pods go
  assert.deepEqual(names(r.pods), ['lo1', 'lo2']);
  assert.equal(r.numPDBViolations, 0);
  assert.equal(ni.pods.size, 4);
  assert.equal(ni.requested.get('cpu'), before);
});

test('selectVictimsOnNode: reprieves in order mid then lo1 (the least important pods are the victims)', () => {
  const ni = place(mkNode('n', '3'), mkPod('mid', '1', 5), mkPod('lo1', '1', 1, { start: '2024-01-01T00:00:00Z' }), mkPod('lo2', '1', 1, { start: '2024-01-02T00:00:00Z' }));
  const r = selectVictimsOnNode(new CycleState(), mkPod('p', '1', 10), ni, [], runFilters);
  assert.ok(!(r instanceof Status));
  assert.deepEqual(names(r.pods), ['lo2']);
});

test('selectVictimsOnNode: PDB-protected pods are reprieved first when another victim suffices', () => {
  const ni = place(mkNode('n', '2'), mkPod('guarded', '1', 1, { labels: { app: 'db' }, start: '2024-01-02T00:00:00Z' }), mkPod('free', '1', 1, { start: '2024-01-01T00:00:00Z' }));
  const r = selectVictimsOnNode(new CycleState(), mkPod('p', '1', 10), ni, [pdb('db', { app: 'db' }, 0)], runFilters);
  assert.ok(!(r instanceof Status));
  assert.deepEqual(names(r.pods), ['free']);
  assert.equal(r.numPDBViolations, 0);
  // when both must go, the violation is counted
  const r2 = selectVictimsOnNode(new CycleState(), mkPod('p', '2', 10), ni, [pdb('db', { app: 'db' }, 0)], runFilters);
  assert.ok(!(r2 instanceof Status));
  assert.equal(r2.pods.length, 2);
  assert.equal(r2.numPDBViolations, 1);
});

test('selectVictimsOnNode: no lower-priority pods, or not enough even without them', () => {
  const ni = place(mkNode('n', '2'), mkPod('same', '2', 10));
  const r = selectVictimsOnNode(new CycleState(), mkPod('p', '1', 10), ni, [], runFilters);
  assert.ok(r instanceof Status);
  assert.deepEqual(r.reasons, ['No preemption victims found for incoming pod']);
  const ni2 = place(mkNode('n2', '2'), mkPod('lo', '1', 1));
  const r2 = selectVictimsOnNode(new CycleState(), mkPod('p', '3', 10), ni2, [], runFilters);
  assert.ok(r2 instanceof Status);
  assert.deepEqual(r2.reasons, ['Insufficient cpu']);
  assert.equal(ni2.pods.size, 1);
});

test('pickOneNodeForPreemption: upstream ordering of criteria', () => {
  const v = (node: string, pods: Pod[], pdbViolations = 0): Candidate => ({ node, victims: { pods, numPDBViolations: pdbViolations } });
  // 1. fewest PDB violations beats everything else
  assert.equal(pickOneNodeForPreemption([v('a', [mkPod('x', '1', 1)], 1), v('b', [mkPod('y', '1', 9), mkPod('z', '1', 9)], 0)])!.node, 'b');
  // 2. lowest highest-priority victim
  assert.equal(pickOneNodeForPreemption([v('a', [mkPod('x', '1', 5)]), v('b', [mkPod('y', '1', 3), mkPod('z', '1', 3)])])!.node, 'b');
  // 3. smallest sum of priorities
  assert.equal(pickOneNodeForPreemption([v('a', [mkPod('x', '1', 5), mkPod('x2', '1', 4)]), v('b', [mkPod('y', '1', 5), mkPod('z', '1', 1)])])!.node, 'b');
  // 4. fewest victims (equal sums only possible with equal priorities: sum includes MaxInt32+1 per pod)
  assert.equal(pickOneNodeForPreemption([v('a', [mkPod('x', '1', 0), mkPod('x2', '1', 0)]), v('b', [mkPod('y', '1', 0)])])!.node, 'b');
  // 5. latest start time of the highest-priority victims
  assert.equal(pickOneNodeForPreemption([v('a', [mkPod('x', '1', 2, { start: '2024-01-01T00:00:00Z' })]), v('b', [mkPod('y', '1', 2, { start: '2024-03-01T00:00:00Z' })])])!.node, 'b');
  // tie: the first
  assert.equal(pickOneNodeForPreemption([v('a', [mkPod('x', '1', 2, { start: '2024-01-01T00:00:00Z' })]), v('b', [mkPod('y', '1', 2, { start: '2024-01-01T00:00:00Z' })])])!.node, 'a');
  assert.equal(pickOneNodeForPreemption([]), undefined);
});

test('numCandidates as upstream calculateNumCandidates', () => {
  assert.equal(numCandidates(5), 5);
  assert.equal(numCandidates(500), 100);
  assert.equal(numCandidates(5000), 500);
});

test('DefaultPreemption.postFilter: picks the node needing the least disruption and returns the victims', () => {
  const p = new DefaultPreemption();
  p.random = () => 0;
  const a = place(mkNode('a', '2'), mkPod('a-hi', '1', 50), mkPod('a-lo', '1', 5));
  const b = place(mkNode('b', '2'), mkPod('b-lo', '1', 1), mkPod('b-lo2', '1', 1));
  const c = place(mkNode('c', '2', [{ key: 'k', effect: 'NoSchedule' }]));
  const pod = mkPod('p', '1', 10);
  const statuses = new Map([['a', Status.unschedulable('Insufficient cpu')], ['b', Status.unschedulable('Insufficient cpu')],
    ['c', Status.unresolvable('node(s) had untolerated taint {k: }')]]);
  const r = p.postFilter(new CycleState(), pod, statuses, { nodes: [a, b, c], runFilters, pdbs: () => [] });
  // a's victim has priority 5, b's has 1 → b
  assert.equal(r.nominatedNodeName, 'b');
  assert.equal(r.victims!.length, 1);
  assert.equal(r.message, '');
  // with a PDB on b's pods and none allowed, a wins
  const labelled = place(mkNode('b', '2'), mkPod('b-lo', '1', 1, { labels: { app: 'x' } }), mkPod('b-lo2', '1', 1, { labels: { app: 'x' } }));
  const r2 = p.postFilter(new CycleState(), pod, statuses, { nodes: [a, labelled, c], runFilters, pdbs: () => [pdb('x', { app: 'x' }, 0)] });
  assert.equal(r2.nominatedNodeName, 'a');
  assert.deepEqual(names(r2.victims!), ['a-lo']);
});

test('DefaultPreemption.postFilter: upstream messages when preemption cannot help', () => {
  const p = new DefaultPreemption();
  const full = place(mkNode('full', '1'), mkPod('x', '1', 100));
  const small = place(mkNode('small', '1'), mkPod('lo', '1', 0));
  const tainted = mkNode('t', '8', [{ key: 'k', effect: 'NoSchedule' }]);
  const statuses = new Map([['full', Status.unschedulable('Insufficient cpu')], ['small', Status.unschedulable('Insufficient cpu')],
    ['t', Status.unresolvable('node(s) had untolerated taint {k: }')]]);
  const r = p.postFilter(new CycleState(), mkPod('p', '2', 10), statuses, { nodes: [full, small, tainted], runFilters });
  assert.equal(r.nominatedNodeName, undefined);
  assert.equal(r.message, 'preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  const never = p.postFilter(new CycleState(), mkPod('p', '1', 10, { never: true }), statuses, { nodes: [full, small, tainted], runFilters });
  assert.equal(never.message, 'preemption: not eligible due to preemptionPolicy=Never.');
  // a nominated pod waits while its earlier victims are still terminating
  const term = mkPod('dying', '1', 0);
  term.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  term.status = { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' } as { type: string; status: string }] };
  const dying = place(mkNode('d', '1'), term);
  const nominated = mkPod('p', '1', 10);
  nominated.status = { nominatedNodeName: 'd' };
  const w = p.postFilter(new CycleState(), nominated, new Map([['d', Status.unschedulable('Insufficient cpu')]]), { nodes: [dying], runFilters });
  assert.equal(w.message, 'preemption: not eligible due to a terminating pod on the nominated node.');
});

test('framework: preemption result rides on FitError; nominated pods reserve room for lower/equal priority pods only', () => {
  const fwk = new Framework(parseSchedulerConfig('').profiles[0], undefined);
  const nominator = new Nominator();
  fwk.nominator = nominator;
  fwk.pdbs = () => [];
  const n = place(mkNode('n', '2'), mkPod('lo', '2', 0));
  const pod = mkPod('p', '2', 10);
  let err: unknown;
  try { fwk.schedule(new CycleState(), pod, [n]); } catch (e) { err = e; }
  assert.ok(err instanceof FitError);
  assert.equal(err.message, '0/1 nodes are available: 1 Insufficient cpu.');
  assert.equal(err.postFilter?.nominatedNodeName, 'n');
  assert.deepEqual(names(err.postFilter!.victims!), ['lo']);
  // the victim leaves; the preemptor is nominated; a lower-priority pod cannot take the room
  n.removePod(mkPod('lo', '2', 0));
  nominator.add({ ...pod, status: { nominatedNodeName: 'n' } }, 'n');
  assert.throws(() => fwk.schedule(new CycleState(), mkPod('other', '1', 5), [n]), /0\/1 nodes are available: 1 Insufficient cpu/);
  // a higher-priority pod ignores the nomination
  assert.equal(fwk.schedule(new CycleState(), mkPod('urgent', '1', 20), [n]).node, 'n');
  // the nominated pod itself fits (its own nomination is not counted against it)
  assert.equal(fwk.schedule(new CycleState(), { ...pod, status: { nominatedNodeName: 'n' } }, [n]).node, 'n');
  assert.equal(n.pods.size, 0, 'nominated pods are not left in the node info');
  assert.deepEqual(names(lowerPriorityNominatedPods(mkPod('big', '1', 100), nominator.nominatedPodsForNode('n'))), ['p']);
  assert.deepEqual(names(lowerPriorityNominatedPods(mkPod('small', '1', 1), nominator.nominatedPodsForNode('n'))), []);
});

test('Nominator: keeps an in-memory nomination when an update lacks it; deletes', () => {
  const nm = new Nominator();
  const p = mkPod('p', '1', 1);
  nm.add(p, 'a');
  nm.update(p);
  assert.equal(nm.nominatedNodeFor(p), 'a');
  nm.update({ ...p, status: { nominatedNodeName: 'b' } });
  assert.deepEqual(names(nm.nominatedPodsForNode('b')), ['p']);
  assert.deepEqual(nm.nominatedPodsForNode('a'), []);
  nm.delete(p);
  assert.equal(nm.nominatedNodeFor(p), undefined);
  nm.update(mkPod('q', '1'));
  assert.equal(nm.nominatedNodeFor(mkPod('q', '1')), undefined);
});

test('preemption with PreFilter AddPod/RemovePod: evicting an anti-affinity or spread-counted pod makes room; state is restored', async () => {
  const { Cache } = await import('../nodeinfo.js');
  const { Listers } = await import('../listers.js');
  const cache = new Cache();
  const fwk = new Framework(parseSchedulerConfig('').profiles[0], undefined, undefined, { cache, listers: new Listers() });
  fwk.pdbs = () => [];
  fwk.random = () => 0.5; // not sampled for plugin metrics either way
  const labels = (name: string, zone: string) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone } },
    status: { allocatable: { cpu: '8', memory: '8Gi', pods: '110' } } });
  cache.addNode(labels('n1', 'z1'));
  cache.addNode(labels('n2', 'z2'));
  const lo = (name: string, node: string, l: Record<string, string>): Pod => ({ ...mkPod(name, '100m', 0, { labels: l }), spec: { ...mkPod(name, '100m', 0).spec, nodeName: node } });
  // required anti-affinity: the incoming pod must not share a node with app=web; both nodes hold one (low priority)
  cache.addPod(lo('web1', 'n1', { app: 'web' }));
  cache.addPod(lo('web2', 'n2', { app: 'web' }));
  cache.addPod(lo('web3', 'n2', { app: 'web' }));
  const anti: Pod = { ...mkPod('p', '100m', 10, { labels: { app: 'web' } }) };
  anti.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  let err: unknown;
  try { fwk.schedule(new CycleState(), anti, cache.nodes()); } catch (e) { err = e; }
  assert.ok(err instanceof FitError);
  assert.match(err.message, /^0\/2 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules\./);
  // without RemovePod the victims' labels would still count and preemption would find nothing
  assert.equal(err.postFilter?.nominatedNodeName, 'n1', 'n1 needs one victim, n2 two');
  assert.deepEqual(names(err.postFilter!.victims!), ['web1']);
  assert.equal(cache.get('n1')!.pods.size, 1, 'node info restored');
  // topology spread: zone maxSkew 1, z1 has 2 matching pods and z2 none but z2 is full (pods: 0 left)
  const c2 = new Cache();
  const f2 = new Framework(parseSchedulerConfig('').profiles[0], undefined, undefined, { cache: c2, listers: new Listers() });
  f2.pdbs = () => [];
  f2.random = () => 0.5;
  c2.addNode(labels('a', 'z1'));
  c2.addNode({ ...labels('b', 'z2'), status: { allocatable: { cpu: '8', memory: '8Gi', pods: '1' } } });
  c2.addPod(lo('s1', 'a', { app: 'db' }));
  c2.addPod(lo('s2', 'a', { app: 'db' }));
  c2.addPod({ ...lo('filler', 'b', { other: 'x' }), spec: { ...lo('filler', 'b', {}).spec, priority: 20 } });
  const spread: Pod = mkPod('q', '100m', 10, { labels: { app: 'db' } });
  spread.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'db' } } }];
  err = undefined;
  try { f2.schedule(new CycleState(), spread, c2.nodes()); } catch (e) { err = e; }
  assert.ok(err instanceof FitError);
  assert.match(err.message, /1 Too many pods, 1 node\(s\) didn't match pod topology spread constraints/);
  // b's filler outranks the pod; on a, RemovePod lowers z1's count: with one of s1/s2 back the skew is 2 > 1, so both go
  assert.equal(err.postFilter?.nominatedNodeName, 'a');
  assert.deepEqual(names(err.postFilter!.victims!).sort(), ['s1', 's2']);
  assert.equal(c2.get('a')!.pods.size, 2);
});
