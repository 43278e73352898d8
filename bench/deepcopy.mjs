// Microbenchmark behind src/machinery/deepcopy.ts: copying a pod (~6 KiB of JSON) with structuredClone,
// a JSON round trip, and deepCopyJSON. Usage (after make build): node bench/deepcopy.mjs [copies=20000]
import { deepCopyJSON } from '../dist/machinery/deepcopy.js';

const n = Number(process.argv[2] ?? 20000);
const fields = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } };
const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'd-5f7c8-abcde', namespace: 'density-0', uid: '0b0e3a8e-1111-2222-3333-444455556666', labels: { app: 'd', 'pod-template-hash': '5f7c8' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'd-5f7c8', uid: 'aaaa', controller: true, blockOwnerDeletion: true }],
    managedFields: Array.from({ length: 3 }, (_, i) => ({ manager: `m${i}`, operation: 'Update', apiVersion: 'v1', time: '2026-11-23T20:00:00Z', fieldsType: 'FieldsV1', fieldsV1: fields })) },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '10Mi' } } }],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], nodeName: 'sim-node-00001' },
  status: { phase: 'Running', conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: '2026-11-23T20:00:01Z' })),
    podIP: '10.0.0.1', containerStatuses: [{ name: 'c', state: { running: { startedAt: '2026-11-23T20:00:01Z' } }, ready: true, restartCount: 0, image: 'registry.k8s.io/pause:3.9' }] },
};
const out = { bytes: JSON.stringify(pod).length, copies: n };
for (const [label, copy] of [['structuredClone', () => structuredClone(pod)], ['JSON round trip', () => JSON.parse(JSON.stringify(pod))], ['deepCopyJSON', () => deepCopyJSON(pod)]]) {
  for (let i = 0; i < 2000; i++) copy();
  const t = performance.now();
  for (let i = 0; i < n; i++) copy();
  out[label] = `${((performance.now() - t) / n * 1000).toFixed(1)} µs`;
}
console.log(JSON.stringify(out, null, 2));
