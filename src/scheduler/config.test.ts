import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseSchedulerConfig } from './config.js';
import { Framework, numFeasibleNodesToFind } from './framework.js';
import { fitErrorMessage } from './fiterror.js';
import { NodeInfo } from './nodeinfo.js';
import { Status, type Pod } from './types.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const build = (yaml: string) => parseSchedulerConfig(HEAD + yaml).profiles.map((p) => new Framework(p, undefined));

test('empty config: one default-scheduler profile with upstream default plugins and weights', () => {
  const [f] = build('');
  assert.equal(f.schedulerName, 'default-scheduler');
  assert.deepEqual(f.filter.map((p) => p.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit',
    'VolumeRestrictions', 'NodeVolumeLimits', 'VolumeBinding', 'VolumeZone', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(f.preFilter.map((p) => p.name), ['NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeRestrictions', 'VolumeBinding', 'VolumeZone', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(f.score.map((s) => `${s.plugin.name}:${s.weight}`), ['TaintToleration:3', 'NodeAffinity:2', 'NodeResourcesFit:1', 'PodTopologySpread:2', 'InterPodAffinity:2', 'NodeResourcesBalancedAllocation:1', 'ImageLocality:1']);
  assert.deepEqual(f.reserve.map((p) => p.name), ['VolumeBinding']);
  assert.deepEqual(f.preBind.map((p) => p.name), ['VolumeBinding']);
  assert.deepEqual(f.bind.map((p) => p.name), ['DefaultBinder']);
  // queueing hints: the plugins' registered events
  assert.deepEqual(f.events.get('VolumeBinding')?.map((e) => e.resource), ['StorageClass', 'PersistentVolumeClaim', 'PersistentVolume', 'Node', 'CSINode']);
  assert.deepEqual(f.events.get('ImageLocality'), []);
  assert.equal(f.queueSort.name, 'PrioritySort');
});

test('profiles, disabled/enabled plugins per point, weights, percentageOfNodesToScore', () => {
  const fs = build(`percentageOfNodesToScore: 30
profiles:
- schedulerName: a
- schedulerName: b
  percentageOfNodesToScore: 70
  plugins:
    score:
      disabled: [{name: '*'}]
      enabled: [{name: NodeAffinity, weight: 7}]
    filter:
      disabled: [{name: TaintToleration}]
`);
  assert.deepEqual(fs.map((f) => f.schedulerName), ['a', 'b']);
  assert.equal(fs[0].globalPercentage, undefined);
  assert.deepEqual(fs[1].score.map((s) => `${s.plugin.name}:${s.weight}`), ['NodeAffinity:7']);
  assert.ok(!fs[1].filter.some((p) => p.name === 'TaintToleration'));
  assert.equal(parseSchedulerConfig(HEAD + 'percentageOfNodesToScore: 30').percentageOfNodesToScore, 30);
});

test('bad configuration is refused with a clear message', () => {
  const bad: [string, RegExp][] = [
    ['profiles:\n- plugins:\n    filter:\n      enabled: [{name: Nope}]', /plugin "Nope" does not exist/],
    ['profiles:\n- pluginConfig:\n  - name: Nope\n    args: {}', /pluginConfig: plugin "Nope" does not exist/],
    ['profiles:\n- pluginConfig:\n  - name: VolumeBinding\n    args: {bindTimeoutSeconds: -1}', /bindTimeoutSeconds: Invalid value: -1: invalid BindTimeoutSeconds, should not be a negative value/],
    ['profiles:\n- plugins:\n    score:\n      enabled: [{name: DefaultBinder}]', /does not extend score plugin/],
    ['profiles:\n- schedulerName: x\n- schedulerName: x', /profiles\[1\]\.schedulerName: Duplicate value: "x"/],
    ['percentageOfNodesToScore: 101', /percentageOfNodesToScore: Invalid value: 101/],
    ['profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {type: Foo}}', /scoringStrategy\.type: Unsupported value: "Foo"/],
    ['profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {resources: [{name: cpu, weight: 0}]}}', /resource weight of cpu should be in the range \[1, 100\]/],
    ['profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 40, score: 2}]}}}', /increasing order/],
    ['profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args: {scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 50, score: 11}]}}}', /score: Invalid value: 11/],
    ['profiles:\n- pluginConfig:\n  - name: NodeResourcesBalancedAllocation\n    args: {resources: [{name: cpu, weight: 1}, {name: cpu, weight: 1}]}', /Duplicate value: "cpu"/],
    ['profiles:\n- plugins:\n    bogusPoint: {}', /unknown extension point "bogusPoint"/],
  ];
  for (const [yaml, re] of bad) assert.throws(() => build(yaml), (e: Error) => e instanceof ConfigError && re.test(e.message), yaml);
  assert.throws(() => parseSchedulerConfig('kind: Other'), /no kind "Other"/);
  assert.throws(() => parseSchedulerConfig(': : :\n  - ['), ConfigError);
});

test('numFeasibleNodesToFind: all below 100, adaptive percentage, floor of 100', () => {
  assert.equal(numFeasibleNodesToFind(undefined, 50), 50);
  assert.equal(numFeasibleNodesToFind(undefined, 1000), 420); // 50 - 1000/125 = 42%
  assert.equal(numFeasibleNodesToFind(undefined, 5000), 500); // 10%
  assert.equal(numFeasibleNodesToFind(undefined, 10000), 500); // floor of 5%
  assert.equal(numFeasibleNodesToFind(1, 1000), 100);
  assert.equal(numFeasibleNodesToFind(100, 1000), 1000);
});

test('fit error message: sorted "count reason" histogram, prefilter and postfilter messages', () => {
  const st = new Map<string, Status>([
    ['a', Status.unschedulable('Insufficient cpu')], ['b', Status.unschedulable('Insufficient cpu', 'Insufficient memory')],
    ['c', Status.unresolvable('node(s) had untolerated taint {node.kubernetes.io/not-ready: }')],
  ]);
  assert.equal(fitErrorMessage(3, st, '', 'preemption: x.'), '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 Insufficient cpu. preemption: x.');
  assert.equal(fitErrorMessage(3, st, 'pod affinity terms conflict'), '0/3 nodes are available: pod affinity terms conflict.');
});

test('framework schedules on the best node and explains failures with preemption dry-run', () => {
  const [f] = build('');
  f.random = () => 0.99;
  const mk = (name: string, cpu: string) => { const n = new NodeInfo(name); n.setNode({ metadata: { name }, status: { allocatable: { cpu, memory: '4Gi', pods: '10' } } }); return n; };
  const nodes = [mk('a', '1'), mk('b', '8'), mk('c', '2')];
  const pod: Pod = { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1500m' } } }] } };
  assert.equal(f.schedule(f.newCycleState(), pod, nodes).node, 'b');
  const low: Pod = { metadata: { name: 'low', namespace: 'd' }, spec: { priority: -1, containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] } };
  nodes[2].addPod(low);
  const big: Pod = { metadata: { name: 'big', namespace: 'd' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '9' } } }] } };
  assert.throws(() => f.schedule(f.newCycleState(), big, nodes), {
    message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod.',
  });
  assert.throws(() => f.schedule(f.newCycleState(), big, []), { message: 'no nodes available to schedule pods' });
  assert.equal(nodes[2].pods.size, 1, 'dry run puts victims back');
});
