import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../../../api/resources.js';
import type { KObject } from '../../../api/types.js';
import { StatusError } from '../../../machinery/errors.js';
import type { AdmissionAttributes } from '../../chain.js';
import { newPriorityPlugin, SYSTEM_PRIORITY_CLASSES, type PriorityClass } from './priority.js';
import { newDefaultTolerationSecondsPlugin } from './tolerations.js';
import { newDefaultStorageClassPlugin } from './storageclass.js';
import { newStorageObjectInUseProtectionPlugin } from './storageprotection.js';
import { newNodeRestrictionPlugin, forbiddenLabels } from './noderestriction.js';

const typeOf = (group: string, resource: string) => builtinResources.find((t) => t.group === group && t.resource === resource)!;
const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

function attrs(group: string, resource: string, obj: KObject | undefined, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE', type: typeOf(group, resource), subresource: '', namespace: 'ns',
    name: obj?.metadata?.name ?? '', object: obj, user: admin, dryRun: false, ...extra,
  };
}
const pod = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KObject =>
  ({ metadata: { name: 'p', namespace: 'ns', ...meta }, spec: { containers: [{ name: 'c' }], ...spec } }) as KObject;

async function rejection(p: Promise<void> | void): Promise<StatusError> {
  try { await p; } catch (err) { assert.ok(err instanceof StatusError, String(err)); return err; }
  assert.fail('expected a rejection');
}

// ---- Priority

test('Priority resolves class names, the global default and the built-in classes', async () => {
  const classes: PriorityClass[] = [
    ...SYSTEM_PRIORITY_CLASSES,
    { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' },
  ];
  const plugin = newPriorityPlugin({ priorityClasses: () => classes });
  const cases: [Record<string, unknown>, { name?: string; priority: number; policy: string }][] = [
    [{}, { name: undefined, priority: 0, policy: 'PreemptLowerPriority' }],
    [{ priorityClassName: 'high' }, { name: 'high', priority: 1000, policy: 'Never' }],
    [{ priorityClassName: 'system-node-critical' }, { name: 'system-node-critical', priority: 2000001000, policy: 'PreemptLowerPriority' }],
    [{ priorityClassName: 'system-cluster-critical', priority: 2000000000 }, { name: 'system-cluster-critical', priority: 2000000000, policy: 'PreemptLowerPriority' }],
  ];
  for (const [spec, want] of cases) {
    const p = pod(spec);
    await plugin.admit!(attrs('', 'pods', p));
    const s = p.spec as any;
    assert.deepEqual([s.priorityClassName, s.priority, s.preemptionPolicy], [want.name, want.priority, want.policy], JSON.stringify(spec));
  }
  // a global default applies to pods without a class; the lowest-valued default wins
  classes.push({ metadata: { name: 'd1' }, value: 50, globalDefault: true }, { metadata: { name: 'd2' }, value: 10, globalDefault: true });
  const p = pod();
  await plugin.admit!(attrs('', 'pods', p));
  assert.deepEqual([(p.spec as any).priorityClassName, (p.spec as any).priority], ['d2', 10]);
});

test('Priority rejects unknown classes and conflicting user values with upstream messages', async () => {
  const plugin = newPriorityPlugin({ priorityClasses: () => [{ metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' }] });
  let err = await rejection(plugin.admit!(attrs('', 'pods', pod({ priorityClassName: 'nope' }))));
  assert.equal(err.code, 403);
  assert.equal(err.message, 'pods "p" is forbidden: no PriorityClass with name nope was found');
  err = await rejection(plugin.admit!(attrs('', 'pods', pod({ priorityClassName: 'high', priority: 5 }))));
  assert.equal(err.message, 'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  err = await rejection(plugin.admit!(attrs('', 'pods', pod({ priorityClassName: 'high', preemptionPolicy: 'PreemptLowerPriority' }))));
  assert.match(err.message, /the string value of PreemptionPolicy \(PreemptLowerPriority\) must not be provided in pod spec; priority admission controller computed Never/);
});

test('Priority keeps the stored priority on update and allows only one global default class', async () => {
  const plugin = newPriorityPlugin({ priorityClasses: () => [{ metadata: { name: 'd' }, value: 1, globalDefault: true }] });
  const next = pod();
  await plugin.admit!(attrs('', 'pods', next, { operation: 'UPDATE', oldObject: pod({ priority: 7, preemptionPolicy: 'Never' }) }));
  assert.equal((next.spec as any).priority, 7);
  assert.equal((next.spec as any).preemptionPolicy, 'Never');
  const err = await rejection(plugin.validate!(attrs('scheduling.k8s.io', 'priorityclasses', { metadata: { name: 'e' }, value: 2, globalDefault: true } as KObject)));
  assert.match(err.message, /^priorityclasses.scheduling.k8s.io "e" is forbidden: PriorityClass d is already marked as default. Only one default can exist$/);
  // updating the default class itself is fine
  await plugin.validate!(attrs('scheduling.k8s.io', 'priorityclasses', { metadata: { name: 'd' }, value: 3, globalDefault: true } as KObject, { operation: 'UPDATE' }));
});

// ---- DefaultTolerationSeconds

test('DefaultTolerationSeconds adds not-ready and unreachable NoExecute tolerations unless tolerated', () => {
  const plugin = newDefaultTolerationSecondsPlugin();
  const nr = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const ur = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const cases: [unknown[] | undefined, unknown[]][] = [
    [undefined, [nr, ur]],
    [[{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }], [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }, ur]],
    [[{ operator: 'Exists' }], [{ operator: 'Exists' }]],
    [[{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, nr]],
    [[{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }], [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }, nr, ur]],
  ];
  for (const [given, want] of cases) {
    const p = pod(given ? { tolerations: given } : {});
    plugin.admit!(attrs('', 'pods', p));
    assert.deepEqual((p.spec as any).tolerations, want, JSON.stringify(given));
  }
  const status = pod();
  plugin.admit!(attrs('', 'pods', status, { subresource: 'status', operation: 'UPDATE' }));
  assert.equal((status.spec as any).tolerations, undefined);
});

// ---- DefaultStorageClass

test('DefaultStorageClass sets the newest default class on claims that name none', async () => {
  const classes: KObject[] = [
    { metadata: { name: 'old', creationTimestamp: '2024-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } },
    { metadata: { name: 'new', creationTimestamp: '2024-06-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } },
    { metadata: { name: 'newest-not-default', creationTimestamp: '2025-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } } },
  ];
  const plugin = newDefaultStorageClassPlugin({ storageClasses: () => classes });
  const pvc = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({ metadata: { name: 'c', ...meta }, spec } as KObject);
  const cases: [KObject, unknown][] = [
    [pvc({}), 'new'],
    [pvc({ storageClassName: 'fast' }), 'fast'],
    [pvc({ storageClassName: '' }), ''],
    [pvc({}, { annotations: { 'volume.beta.kubernetes.io/storage-class': 'x' } }), undefined],
  ];
  for (const [claim, want] of cases) {
    await plugin.admit!(attrs('', 'persistentvolumeclaims', claim));
    assert.equal((claim.spec as any).storageClassName, want);
  }
  const none = newDefaultStorageClassPlugin({ storageClasses: () => [classes[2]] });
  const claim = pvc({});
  await none.admit!(attrs('', 'persistentvolumeclaims', claim));
  assert.equal((claim.spec as any).storageClassName, undefined, 'no default class, no change');
});

// ---- StorageObjectInUseProtection

test('StorageObjectInUseProtection adds the protection finalizer once, on create only', () => {
  const plugin = newStorageObjectInUseProtectionPlugin();
  const pvc = { metadata: { name: 'c', finalizers: ['other'] }, spec: {} } as KObject;
  plugin.admit!(attrs('', 'persistentvolumeclaims', pvc));
  plugin.admit!(attrs('', 'persistentvolumeclaims', pvc));
  assert.deepEqual(pvc.metadata!.finalizers, ['other', 'kubernetes.io/pvc-protection']);
  const pv = { metadata: { name: 'v' }, spec: {} } as KObject;
  plugin.admit!(attrs('', 'persistentvolumes', pv, { namespace: '' }));
  assert.deepEqual(pv.metadata!.finalizers, ['kubernetes.io/pv-protection']);
  const upd = { metadata: { name: 'u' }, spec: {} } as KObject;
  plugin.admit!(attrs('', 'persistentvolumeclaims', upd, { operation: 'UPDATE' }));
  const cm = { metadata: { name: 'cm' } } as KObject;
  plugin.admit!(attrs('', 'configmaps', cm));
  assert.equal(upd.metadata!.finalizers, undefined);
  assert.equal(cm.metadata!.finalizers, undefined);
});

// ---- NodeRestriction

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const node = (name: string, labels: Record<string, string> = {}, taints?: unknown[]) => ({ metadata: { name, labels }, spec: taints ? { taints } : {} }) as KObject;

test('NodeRestriction: a node changes only its own Node, not its taints nor restricted labels', async () => {
  const plugin = newNodeRestrictionPlugin();
  const nodes = (obj: KObject | undefined, extra: Partial<AdmissionAttributes>) => plugin.admit!(attrs('', 'nodes', obj, { namespace: '', user: n1, ...extra }));
  let err = await rejection(nodes(node('n2'), { operation: 'UPDATE', oldObject: node('n2'), name: 'n2' }));
  assert.equal(err.code, 403);
  assert.equal(err.message, 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
  await rejection(nodes(undefined, { operation: 'DELETE', name: 'n2', oldObject: node('n2') }));
  await nodes(node('n1', { 'kubernetes.io/hostname': 'n1', 'node.kubernetes.io/foo': 'x', 'example.com/a': 'b' }, [{ key: 'k', effect: 'NoSchedule' }]), { name: 'n1' });
  err = await rejection(nodes(node('n1', { 'node-role.kubernetes.io/control-plane': '', 'node-restriction.kubernetes.io/x': 'y' }), { name: 'n1' }));
  assert.equal(err.message, 'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/x, node-role.kubernetes.io/control-plane');
  err = await rejection(nodes(node('n1', { 'x.node-restriction.kubernetes.io/a': '1' }), { operation: 'UPDATE', name: 'n1', oldObject: node('n1') }));
  assert.equal(err.message, 'nodes "n1" is forbidden: is not allowed to modify labels: x.node-restriction.kubernetes.io/a');
  err = await rejection(nodes(node('n1', {}, [{ key: 'k', effect: 'NoSchedule' }]), { operation: 'UPDATE', name: 'n1', oldObject: node('n1') }));
  assert.equal(err.message, 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
  // removing a restricted label counts as modifying it; unchanged restricted labels are fine
  await rejection(nodes(node('n1'), { operation: 'UPDATE', name: 'n1', oldObject: node('n1', { 'node-role.kubernetes.io/worker': '' }) }));
  await nodes(node('n1', { 'node-role.kubernetes.io/worker': '', 'topology.kubernetes.io/zone': 'a' }), { operation: 'UPDATE', name: 'n1', oldObject: node('n1', { 'node-role.kubernetes.io/worker': '' }) });
});

test('NodeRestriction: allowed label list', () => {
  assert.deepEqual(forbiddenLabels(['kubernetes.io/hostname', 'kubernetes.io/os', 'beta.kubernetes.io/arch', 'kubelet.kubernetes.io/x', 'a.node.kubernetes.io/y', 'foo.k8s.io/z', 'k8s.io/q', 'mycompany.io/r', 'plain']),
    ['foo.k8s.io/z', 'k8s.io/q']);
});

test('NodeRestriction: pods — mirror pods bound to itself only; status and delete only for its pods', async () => {
  const plugin = newNodeRestrictionPlugin();
  const mirror = { 'kubernetes.io/config.mirror': 'h' };
  const pods = (obj: KObject | undefined, extra: Partial<AdmissionAttributes> = {}) => plugin.admit!(attrs('', 'pods', obj, { user: n1, ...extra }));
  await pods(pod({ nodeName: 'n1' }, { annotations: mirror }));
  const bad: [KObject, string][] = [
    [pod({ nodeName: 'n1' }), 'pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods'],
    [pod({ nodeName: 'n2' }, { annotations: mirror }), 'node "n1" can only create pods with spec.nodeName set to itself'],
    [pod({ nodeName: 'n1', serviceAccountName: 'default' }, { annotations: mirror }), 'node "n1" can not create pods that reference a service account'],
    [pod({ nodeName: 'n1', volumes: [{ name: 's', secret: { secretName: 'x' } }] }, { annotations: mirror }), 'node "n1" can not create pods that reference secrets'],
    [pod({ nodeName: 'n1', containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'x' } }] }] }, { annotations: mirror }), 'node "n1" can not create pods that reference configmaps'],
    [pod({ nodeName: 'n1', volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'x' } }] }, { annotations: mirror }), 'node "n1" can not create pods that reference persistentvolumeclaims'],
    [pod({ nodeName: 'n1' }, { annotations: mirror, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n2', uid: 'u', controller: true }] }), 'node "n1" can only create pods with an owner reference set to itself'],
  ];
  for (const [p, msg] of bad) assert.equal((await rejection(pods(p))).message, `pods "p" is forbidden: ${msg}`);
  await pods(pod({ nodeName: 'n1' }), { operation: 'UPDATE', subresource: 'status', oldObject: pod({ nodeName: 'n1' }) });
  assert.equal((await rejection(pods(pod({ nodeName: 'n2' }), { operation: 'UPDATE', subresource: 'status', oldObject: pod({ nodeName: 'n2' }) }))).message,
    'pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
  await pods(undefined, { operation: 'DELETE', name: 'p', oldObject: pod({ nodeName: 'n1' }) });
  assert.equal((await rejection(pods(undefined, { operation: 'DELETE', name: 'p', oldObject: pod({ nodeName: 'n2' }) }))).message,
    'pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
  assert.match((await rejection(pods(pod({ nodeName: 'n1' }), { operation: 'UPDATE', oldObject: pod({ nodeName: 'n1' }) }))).message, /unexpected operation "UPDATE", node "n1" can only create and delete mirror pods/);
});

test('NodeRestriction: leases, claims and token requests; other users are untouched', async () => {
  const bound = pod({ nodeName: 'n1' }, { uid: 'u1' });
  const plugin = newNodeRestrictionPlugin({ getPod: (_ns, name) => (name === 'p' ? bound : name === 'q' ? pod({ nodeName: 'n2' }, { name: 'q' }) : undefined) });
  const lease = (name: string) => ({ metadata: { name, namespace: 'kube-node-lease' } }) as KObject;
  await plugin.admit!(attrs('coordination.k8s.io', 'leases', lease('n1'), { namespace: 'kube-node-lease', user: n1 }));
  assert.match((await rejection(plugin.admit!(attrs('coordination.k8s.io', 'leases', lease('n2'), { namespace: 'kube-node-lease', user: n1 })))).message, /can only access node lease with the same name as the requesting node/);
  assert.match((await rejection(plugin.admit!(attrs('', 'persistentvolumeclaims', { metadata: { name: 'c' } }, { operation: 'UPDATE', user: n1 })))).message, /may only update PVC status/);
  const tr = (ref?: unknown) => ({ metadata: { name: 'default' }, spec: { audiences: ['x'], boundObjectRef: ref } }) as KObject;
  const token = (obj: KObject) => plugin.admit!(attrs('', 'serviceaccounts', obj, { subresource: 'token', user: n1, name: 'default' }));
  await token(tr({ kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u1' }));
  assert.match((await rejection(token(tr()))).message, /node requested token not bound to a pod/);
  assert.match((await rejection(token(tr({ kind: 'Pod', name: 'q' })))).message, /bound to a pod scheduled on a different node/);
  // users that are not nodes (or not in system:nodes) are not restricted
  await plugin.admit!(attrs('', 'nodes', node('n2'), { namespace: '', operation: 'UPDATE', name: 'n2', oldObject: node('n2') }));
  await plugin.admit!(attrs('', 'nodes', node('n2'), { namespace: '', operation: 'UPDATE', name: 'n2', oldObject: node('n2'), user: { name: 'system:node:n1', groups: [] } }));
});
