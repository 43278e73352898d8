// PodSecurity's audit mode: a pod that breaks the namespace's audit level is admitted, and the
// violation is recorded as the `pod-security.kubernetes.io/audit-violations` annotation of the
// request's audit event, as upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './harness.mjs';

test('PodSecurity audit mode annotates the audit event and admits the pod', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kumo-psa-'));
  const policy = join(tmp, 'policy.yaml');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources:\n  - group: ""\n    resources: ["pods"]\n');
  const log = join(tmp, 'audit.log');
  const s = await startServer({ args: ['--audit-policy-file', policy, '--audit-log-path', log] });
  try {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'psa-audit', labels: { 'pod-security.kubernetes.io/audit': 'restricted' } } };
    assert.equal((await s.request('POST', '/api/v1/namespaces', { body: ns })).status, 201);
    await s.request('POST', '/api/v1/namespaces/psa-audit/serviceaccounts', { body: { metadata: { name: 'default' } } });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'priv' },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } };
    const r = await s.request('POST', '/api/v1/namespaces/psa-audit/pods', { body: pod });
    assert.equal(r.status, 201, r.text);
    const id = r.headers['audit-id'];
    let event;
    for (let i = 0; i < 100 && !event; i++) {
      if (existsSync(log)) {
        event = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
          .find((e) => e.auditID === id && e.stage === 'ResponseComplete');
      }
      if (!event) await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(event, 'the pod create was audited');
    const v = event.annotations?.['pod-security.kubernetes.io/audit-violations'];
    assert.match(v ?? '', /^would violate PodSecurity "restricted:latest": .*privileged \(container "c" must not set securityContext\.privileged=true\)/);
  } finally {
    await s.stop();
    s.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
});
