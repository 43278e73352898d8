// The indexed paths of InterPodAffinity and PodTopologySpread against plain references on random
// clusters: the grouped term index against a scan of every pod, PodTopologySpread's fast path
// (domains from the cache, counts from matching pods) against its full walk over the nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache } from '../nodeinfo.js';
import { Listers, type Handle } from '../listers.js';
import { CycleState, Code, type Pod, type PodAffinityTerm } from '../types.js';
import { InterPodAffinity } from './interpodaffinity.js';
import { PodTopologySpread } from './podtopologyspread.js';
import { podAffinityTerms, termMatches } from './affinityterm.js';

function rng(seed: number): () => number {
  return () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const GROUPS = ['a', 'b', 'c'];
const KEYS = ['kubernetes.io/hostname', 'zone', 'rack'];

function cluster(r: () => number, nodes: number, pods: number, withTerms: boolean): Handle {
  const h: Handle = { cache: new Cache(), listers: new Listers() };
  for (let i = 0; i < nodes; i++) {
    const labels: Record<string, string> = { 'kubernetes.io/hostname': `n${i}` };
    if (r() < 0.85) labels.zone = `z${i % 3}`;
    if (r() < 0.7) labels.rack = `r${i % 5}`;
    h.cache.addNode({ metadata: { name: `n${i}`, labels }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
  }
  for (let i = 0; i < pods; i++) {
    const ns = r() < 0.8 ? 'default' : 'other';
    const p: Pod = { metadata: { name: `p${i}`, namespace: ns, labels: { group: pick(r, GROUPS), ...(r() < 0.5 ? { tier: 'web' } : {}) } }, spec: { containers: [] } };
    if (r() < 0.1) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    if (withTerms && r() < 0.6) p.spec.affinity = randomAffinity(r);
    h.cache.addPod({ ...p, spec: { ...p.spec, nodeName: `n${Math.floor(r() * nodes)}` } });
  }
  return h;
}

function randomTerm(r: () => number): PodAffinityTerm {
  const sel = pick(r, [
    { matchLabels: { group: pick(r, GROUPS) } },
    { matchExpressions: [{ key: 'group', operator: 'In', values: [pick(r, GROUPS), pick(r, GROUPS)] }] },
    { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    { matchExpressions: [{ key: 'group', operator: 'NotIn', values: [pick(r, GROUPS)] }] },
  ]);
  return { labelSelector: sel, topologyKey: pick(r, KEYS), ...(r() < 0.2 ? { namespaceSelector: {} } : {}) };
}
function randomAffinity(r: () => number): NonNullable<Pod['spec']['affinity']> {
  const some = <T>(f: () => T) => Array.from({ length: Math.floor(r() * 3) }, f);
  return {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: some(() => ({ weight: 1 + Math.floor(r() * 100), podAffinityTerm: randomTerm(r) })),
      ...(r() < 0.2 ? { requiredDuringSchedulingIgnoredDuringExecution: [randomTerm(r)] } : {}) },
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: some(() => randomTerm(r)),
      preferredDuringSchedulingIgnoredDuringExecution: some(() => ({ weight: 1 + Math.floor(r() * 100), podAffinityTerm: randomTerm(r) })) },
  };
}

/** every recorded pod with its node's labels (the reference scans these) */
function placed(h: Handle): { pod: Pod; labels: Record<string, string> }[] {
  const out: { pod: Pod; labels: Record<string, string> }[] = [];
  for (const n of h.cache.nodes()) for (const p of n.pods.values()) out.push({ pod: p, labels: n.node!.metadata.labels ?? {} });
  return out;
}
const sameDomain = (a: Record<string, string>, b: Record<string, string>, key: string) => Object.hasOwn(a, key) && Object.hasOwn(b, key) && a[key] === b[key];

test('InterPodAffinity: Filter and Score through the term index agree with a scan of every pod (random clusters)', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(seed);
    const h = cluster(r, 25, 80, true);
    const pl = new InterPodAffinity({ hardPodAffinityWeight: 2 }, h);
    const all = placed(h);
    for (let k = 0; k < 6; k++) {
      const incoming: Pod = { metadata: { name: `in${k}`, namespace: r() < 0.8 ? 'default' : 'other', labels: { group: pick(r, GROUPS), ...(r() < 0.5 ? { tier: 'web' } : {}) } },
        spec: { containers: [], affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: r() < 0.5 ? [randomTerm(r)] : [] },
          podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 7, podAffinityTerm: randomTerm(r) }] } } } };
      const mine = podAffinityTerms(incoming);
      const st = new CycleState();
      const pf = pl.preFilter(st, incoming);
      const ps = pl.preScore(st, incoming);
      for (const n of h.cache.nodes()) {
        const labels = n.node!.metadata.labels ?? {};
        let want = 'ok';
        if (mine.requiredAntiAffinity.some((t) => all.some((e) => termMatches(t, e.pod, undefined) && sameDomain(labels, e.labels, t.topologyKey)))) want = "node(s) didn't match pod anti-affinity rules";
        else if (all.some((e) => podAffinityTerms(e.pod).requiredAntiAffinity.some((t) => termMatches(t, incoming, undefined) && sameDomain(labels, e.labels, t.topologyKey)))) want = "node(s) didn't satisfy existing pods anti-affinity rules";
        const got = pf.status.code === Code.Skip ? 'ok' : (() => { const s = pl.filter(st, incoming, n); return s.isSuccess() ? 'ok' : s.message(); })();
        assert.equal(got, want, `seed ${seed} pod ${k} node ${n.name}`);
        let score = 0;
        for (const e of all) {
          const et = podAffinityTerms(e.pod);
          for (const t of mine.preferredAffinity) if (termMatches(t, e.pod, undefined) && sameDomain(labels, e.labels, t.topologyKey)) score += t.weight;
          for (const [list, w] of [[et.requiredAffinity, () => 2], [et.preferredAffinity, (w: number) => w], [et.preferredAntiAffinity, (w: number) => -w]] as const) {
            for (const t of list) if (termMatches(t, incoming, undefined) && sameDomain(labels, e.labels, t.topologyKey)) score += w(t.weight);
          }
        }
        assert.equal(ps.code === Code.Skip ? 0 : pl.score(st, incoming, n), score, `score seed ${seed} pod ${k} node ${n.name}`);
      }
    }
  }
});

test('PodTopologySpread: the fast path (cached domains, matching pods only) decides as the walk over all nodes (random clusters)', () => {
  for (let seed = 1; seed <= 15; seed++) {
    const r = rng(100 + seed);
    const h = cluster(r, 30, 90, false);
    const pl = new PodTopologySpread({}, h);
    for (let k = 0; k < 6; k++) {
      const group = pick(r, GROUPS);
      const incoming: Pod = { metadata: { name: `in${k}`, namespace: 'default', labels: r() < 0.8 ? { group } : {} }, spec: { containers: [],
        topologySpreadConstraints: [
          { maxSkew: 1 + Math.floor(r() * 2), topologyKey: pick(r, KEYS), whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { group } }, ...(r() < 0.3 ? { minDomains: 1 + Math.floor(r() * 6) } : {}) },
          ...(r() < 0.5 ? [{ maxSkew: 2, topologyKey: pick(r, KEYS), whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] } }] : []),
        ] } };
      const fast = new CycleState(), slow = new CycleState();
      const nodes = h.cache.nodes();
      pl.preFilter(fast, incoming, nodes);
      pl.preFilter(slow, incoming, [...nodes]); // a list other than the cache's takes the full walk
      const decide = (st: CycleState) => nodes.map((n) => { const s = pl.filter(st, incoming, n); return `${n.name}:${Code[s.code]}`; }).join(' ');
      assert.equal(decide(fast), decide(slow), `seed ${seed} pod ${k}`);
      // what-if updates (nominated pods, preemption victims) keep them in step
      const victim = [...nodes[Math.floor(r() * nodes.length)].pods.values()][0];
      const target = nodes[Math.floor(r() * nodes.length)];
      const extra: Pod = { metadata: { name: `x${k}`, namespace: 'default', labels: { group, tier: 'web' } }, spec: { containers: [] } };
      for (const st of [fast, slow]) {
        pl.addPod(st, incoming, extra, target);
        pl.addPod(st, incoming, extra, target);
        if (victim) pl.removePod(st, incoming, victim, h.cache.get(victim.spec.nodeName!)!);
      }
      assert.equal(decide(fast), decide(slow), `after updates: seed ${seed} pod ${k}`);
      // the cluster changes between cycles: the cached counts follow pods (and drop on node changes)
      for (let m = 0; m < 4; m++) mutate(r, h);
    }
  }
});

/** a random change to the recorded pods or nodes, as informer events would make it */
function mutate(r: () => number, h: Handle): void {
  const nodes = h.cache.nodes();
  const pods = nodes.flatMap((n) => [...n.pods.values()]);
  const x = r();
  if (x < 0.35 || pods.length === 0) {
    const name = `m${Math.floor(r() * 1e9)}`;
    h.cache.addPod({ metadata: { name, namespace: r() < 0.8 ? 'default' : 'other', labels: { group: pick(r, GROUPS), ...(r() < 0.5 ? { tier: 'web' } : {}) } },
      spec: { containers: [], nodeName: pick(r, nodes).name } });
  } else if (x < 0.6) h.cache.removePod(pick(r, pods));
  else if (x < 0.75) { const p = pick(r, pods); h.cache.updatePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } }); }
  else if (x < 0.85) { const p = pick(r, pods); h.cache.updatePod({ ...p, metadata: { ...p.metadata, labels: { group: pick(r, GROUPS) } } }); }
  else if (x < 0.95) { const n = pick(r, nodes).node!; h.cache.updateNode({ ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, zone: pick(r, ['z0', 'z1', 'z9']) } } }); }
  else { const p = pick(r, pods); h.cache.assumePod({ ...p, spec: { ...p.spec, nodeName: undefined } }, pick(r, nodes).name); }
}

test('PodTopologySpread: pods with a node selector or honoured taints take the full walk, and decisions follow node label changes', () => {
  const h: Handle = { cache: new Cache(), listers: new Listers() };
  const node = (name: string, zone: string) => ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, zone } }, status: { allocatable: { pods: '10' } } });
  h.cache.addNode(node('n1', 'z1')); h.cache.addNode(node('n2', 'z2'));
  h.cache.addPod({ metadata: { name: 'p1', namespace: 'default', labels: { app: 'x' } }, spec: { containers: [], nodeName: 'n1' } });
  const pl = new PodTopologySpread({}, h);
  const incoming: Pod = { metadata: { name: 'in', namespace: 'default', labels: { app: 'x' } }, spec: { containers: [],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'x' } } }] } };
  const decide = (p: Pod) => { const st = new CycleState(); pl.preFilter(st, p, h.cache.nodes()); return h.cache.nodes().map((n) => Code[pl.filter(st, p, n).code]).join(','); };
  assert.equal(decide(incoming), 'Unschedulable,Success');
  // only n1 is eligible for a pod selecting zone z1: one domain, so n1 is fine
  assert.equal(decide({ ...incoming, spec: { ...incoming.spec, nodeSelector: { zone: 'z1' } } }), 'Success,Success');
  // n2 moves to z1: both nodes share the only domain, which already has a matching pod — skew 2 − 1 stays within maxSkew
  h.cache.updateNode(node('n2', 'z1'));
  assert.equal(decide(incoming), 'Success,Success');
});

test('PodTopologySpread scoring: cached per-domain and per-node counts score as the walk over all nodes (system defaults and own constraints)', () => {
  for (let seed = 1; seed <= 12; seed++) {
    const r = rng(300 + seed);
    const h = cluster(r, 30, 90, false);
    for (const g of GROUPS) h.listers.onWorkload('ReplicaSet', 'ADDED', { metadata: { name: `rs-${g}`, namespace: 'default' }, spec: { selector: { matchLabels: { group: g } } } });
    const pl = new PodTopologySpread({}, h);
    for (let k = 0; k < 6; k++) {
      const group = pick(r, GROUPS);
      const own = r() < 0.5;
      const incoming: Pod = {
        metadata: { name: `in${k}`, namespace: 'default', labels: { group }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${group}`, uid: 'u', controller: true }] },
        spec: { containers: [], ...(own ? { topologySpreadConstraints: [
          { maxSkew: 1 + Math.floor(r() * 3), topologyKey: pick(r, KEYS), whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: { group } } },
          { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] } },
          { maxSkew: 1, topologyKey: pick(r, ['zone', 'rack']), whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: { group } } },
        ] } : {}) },
      };
      // the same pod with a required node affinity every node meets: scored through the full walk
      const walked: Pod = { ...incoming, spec: { ...incoming.spec, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'Exists' }] }] } } } } };
      const filtered = h.cache.nodes().filter(() => r() < 0.7);
      const scores = (p: Pod) => {
        const st = new CycleState();
        const s = pl.preScore(st, p, filtered);
        if (s.code === Code.Skip) return 'skip';
        const out = filtered.map((n) => ({ name: n.name, score: pl.score(st, p, n) }));
        const raw = out.map((x) => x.score).join(',');
        pl.normalizeScore(st, p, out);
        return `${raw} → ${out.map((x) => x.score).join(',')}`;
      };
      const fast = scores(incoming);
      assert.notEqual(fast, 'skip', `seed ${seed} pod ${k}`);
      assert.equal(fast, scores(walked), `seed ${seed} pod ${k} own=${own}`);
      for (let m = 0; m < 4; m++) mutate(r, h);
    }
  }
});
