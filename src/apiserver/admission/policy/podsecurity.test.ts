import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, describe } from './podsecurity-checks.js';
import { policyOf } from './podsecurity.js';

const compliant = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

test('a bare pod passes baseline but fails restricted with upstream reasons in check order', () => {
  const spec = { containers: [{ name: 'c' }] };
  assert.deepEqual(evaluate('baseline', spec, {}), []);
  assert.equal(describe(evaluate('restricted', spec, {})),
    'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
    + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  assert.deepEqual(evaluate('restricted', compliant, {}), []);
  assert.deepEqual(evaluate('privileged', { hostNetwork: true, containers: [{ name: 'x', securityContext: { privileged: true } }] }, {}), []);
});

test('baseline catches host namespaces, privileged, capabilities, hostPath, hostPorts, sysctls, Unconfined seccomp', () => {
  const spec = {
    hostNetwork: true, hostPID: true,
    securityContext: { sysctls: [{ name: 'kernel.msgmax' }, { name: 'net.ipv4.tcp_syncookies' }], seccompProfile: { type: 'Unconfined' } },
    volumes: [{ name: 'root', hostPath: { path: '/' } }],
    containers: [
      { name: 'a', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN'] } }, ports: [{ containerPort: 80, hostPort: 80 }] },
      { name: 'b', securityContext: { privileged: true } },
    ],
  };
  const reasons = evaluate('baseline', spec, {}).map((r) => `${r.reason}: ${r.detail}`);
  assert.deepEqual(reasons, [
    'non-default capabilities: container "a" must not include "NET_ADMIN" in securityContext.capabilities.add',
    'host namespaces: hostNetwork=true, hostPID=true',
    'hostPath volumes: volume "root"',
    'hostPort: container "a" uses hostPort 80',
    'privileged: containers "a", "b" must not set securityContext.privileged=true',
    'seccompProfile: pod must not set securityContext.seccompProfile.type to "Unconfined"',
    'forbidden sysctls: kernel.msgmax',
  ]);
});

test('restricted: runAsUser 0, volume types, capabilities beyond NET_BIND_SERVICE', () => {
  const spec = {
    ...compliant,
    securityContext: { ...compliant.securityContext, runAsUser: 0 },
    volumes: [{ name: 'cfg', configMap: { name: 'x' } }, { name: 'n', nfs: { server: 's', path: '/' } }],
    containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } } }],
  };
  assert.deepEqual(evaluate('restricted', spec, {}).map((r) => r.reason), ['unrestricted capabilities', 'restricted volume types', 'runAsUser=0']);
  assert.match(describe(evaluate('restricted', spec, {})), /volume "n" uses restricted volume type "nfs"/);
});

test('namespace labels choose levels; unknown levels fall back to restricted; versions default to latest', () => {
  const p = policyOf({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'bogus', 'pod-security.kubernetes.io/enforce-version': 'v1.29' });
  assert.deepEqual(p.enforce, { level: 'baseline', version: 'v1.29' });
  assert.deepEqual(p.warn, { level: 'restricted', version: 'latest' });
  assert.deepEqual(p.audit, { level: 'privileged', version: 'latest' });
});
