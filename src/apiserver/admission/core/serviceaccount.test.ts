import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../../../api/resources.js';
import type { KObject } from '../../../api/types.js';
import { StatusError } from '../../../machinery/errors.js';
import type { AdmissionAttributes } from '../../chain.js';
import { newServiceAccountPlugin, TOKEN_MOUNT_PATH, tokenVolume } from './serviceaccount.js';

const podType = builtinResources.find((t) => t.resource === 'pods' && t.group === '')!;
const user = { name: 'alice', groups: ['system:authenticated'] };

function attrs(pod: KObject, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return { operation: 'CREATE', type: podType, subresource: '', namespace: 'ns', name: pod.metadata?.name ?? '', object: pod, user, dryRun: false, ...extra };
}

function pod(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KObject {
  return { metadata: { name: 'p', namespace: 'ns', ...meta }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } } as KObject;
}

const accounts = new Map<string, KObject>([
  ['ns/default', { metadata: { name: 'default', namespace: 'ns' } }],
  ['ns/robot', { metadata: { name: 'robot', namespace: 'ns' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'pull' }] } as KObject],
]);
const plugin = newServiceAccountPlugin({ getServiceAccount: (ns, n) => accounts.get(`${ns}/${n}`), defaultRetry: { attempts: 2, intervalMs: 5 } });

async function admitted(p: KObject, extra: Partial<AdmissionAttributes> = {}): Promise<KObject> {
  const a = attrs(p, extra);
  await plugin.admit!(a);
  await plugin.validate!(a);
  return a.object!;
}

test('defaults the service account and injects the projected token volume in every container', async () => {
  const p = await admitted(pod({ initContainers: [{ name: 'i', image: 'busybox' }] }));
  const spec = p.spec as any;
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  assert.equal(spec.volumes.length, 1);
  const vol = spec.volumes[0] as any;
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol.projected.sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
  assert.deepEqual(vol.projected.sources[1].configMap, { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
  assert.equal(vol.projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath, 'metadata.namespace');
  assert.equal(vol.projected.defaultMode, 0o644);
  assert.deepEqual(vol, tokenVolume(vol.name));
  for (const c of [...spec.initContainers, ...spec.containers]) {
    assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }]);
  }
});

test('automount: pod setting wins over the account; false leaves the pod without a volume', async () => {
  const cases: [Record<string, unknown>, boolean][] = [
    [{ automountServiceAccountToken: false }, false],
    [{ serviceAccountName: 'robot' }, false],
    [{ serviceAccountName: 'robot', automountServiceAccountToken: true }, true],
    [{}, true],
  ];
  for (const [spec, mounted] of cases) {
    const p = (await admitted(pod(spec))).spec as any;
    assert.equal((p.volumes ?? []).length === 1, mounted, JSON.stringify(spec));
    assert.equal(p.containers[0].volumeMounts !== undefined, mounted, JSON.stringify(spec));
  }
});

test('a container that already mounts the token path is left alone; an existing kube-api-access volume is reused', async () => {
  const p = (await admitted(pod({
    containers: [{ name: 'a', volumeMounts: [{ name: 'mine', mountPath: TOKEN_MOUNT_PATH }] }, { name: 'b' }],
    volumes: [{ name: 'mine', emptyDir: {} }, { name: 'kube-api-access-abcde', emptyDir: {} }],
  }))).spec as any;
  assert.deepEqual(p.containers[0].volumeMounts, [{ name: 'mine', mountPath: TOKEN_MOUNT_PATH }]);
  assert.deepEqual(p.containers[1].volumeMounts, [{ name: 'kube-api-access-abcde', readOnly: true, mountPath: TOKEN_MOUNT_PATH }]);
  assert.equal(p.volumes.length, 2);
});

test("copies the account's imagePullSecrets when the pod has none", async () => {
  const p = (await admitted(pod({ serviceAccountName: 'robot' }))).spec as any;
  assert.deepEqual(p.imagePullSecrets, [{ name: 'pull' }]);
});

test('a missing account is 403 Forbidden with upstream wording (after retrying the default one)', async () => {
  let calls = 0;
  const p = newServiceAccountPlugin({ getServiceAccount: () => { calls++; return undefined; }, defaultRetry: { attempts: 3, intervalMs: 1 } });
  const a = attrs(pod({}, { name: 'web' }), { namespace: 'empty', name: 'web' });
  await assert.rejects(p.admit!(a) as Promise<void>, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    assert.equal(err.message, 'pods "web" is forbidden: error looking up service account empty/default: serviceaccount "default" not found');
    return true;
  });
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(p.admit!(attrs(pod({ serviceAccountName: 'nope' }), { namespace: 'empty' })) as Promise<void>, /service account empty\/nope: serviceaccount "nope" not found/);
  assert.equal(calls, 1, 'named accounts are looked up once');
});

test('mirror pods are not mutated and may not reference accounts, secrets or config maps', async () => {
  const mirror = { 'kubernetes.io/config.mirror': 'abc' };
  const p = await admitted(pod({ nodeName: 'n1' }, { annotations: mirror }));
  assert.equal((p.spec as any).serviceAccountName, undefined);
  assert.equal((p.spec as any).volumes, undefined);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ serviceAccountName: 'default' }, /may not reference service accounts/],
    [{ volumes: [{ name: 's', secret: { secretName: 'x' } }] }, /may not reference secrets/],
    [{ containers: [{ name: 'c', env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }] }] }, /may not reference configmaps/],
  ];
  for (const [spec, re] of bad) await assert.rejects(admitted(pod(spec, { annotations: mirror })), re);
});

test('updates, subresources and other resources pass untouched', async () => {
  const p = pod();
  await plugin.admit!(attrs(p, { operation: 'UPDATE', oldObject: pod() }));
  await plugin.admit!(attrs(p, { subresource: 'status' }));
  assert.equal((p.spec as any).serviceAccountName, undefined);
});
