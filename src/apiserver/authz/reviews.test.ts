import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview } from './reviews.js';
import type { Authorizer } from '../chain.js';
import { StatusError } from '../../machinery/errors.js';

// allows alice to get pods in ns "a"; denies everything for "mallory"
const z: Authorizer = {
  authorize: (x) => {
    if (x.user.name === 'mallory') return { decision: 'deny', reason: 'banned' };
    if (x.user.name === 'alice' && x.verb === 'get' && x.resource === 'pods' && x.namespace === 'a') return { decision: 'allow', reason: 'ok' };
    return { decision: 'noOpinion', reason: '' };
  },
};

test('SubjectAccessReview: allowed, denied, validation', async () => {
  const r = await subjectAccessReview(z, { spec: { user: 'alice', resourceAttributes: { namespace: 'a', verb: 'get', resource: 'pods' } } });
  assert.deepEqual(r.status, { allowed: true, reason: 'ok' });
  assert.equal(r.kind, 'SubjectAccessReview');
  assert.equal(r.apiVersion, 'authorization.k8s.io/v1');
  const d = await subjectAccessReview(z, { spec: { user: 'mallory', nonResourceAttributes: { path: '/x', verb: 'get' } } });
  assert.deepEqual(d.status, { allowed: false, denied: true, reason: 'banned' });
  const n = await subjectAccessReview(z, { spec: { user: 'bob', resourceAttributes: { verb: 'get', resource: 'pods' } } });
  assert.deepEqual(n.status, { allowed: false });
  await assert.rejects(subjectAccessReview(z, { spec: { resourceAttributes: { verb: 'get' } } }), (e: unknown) =>
    e instanceof StatusError && e.code === 422 && e.message === 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
  await assert.rejects(subjectAccessReview(z, { spec: { user: 'x' } }), /exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  await assert.rejects(subjectAccessReview(z, { spec: { user: 'x', resourceAttributes: {}, nonResourceAttributes: {} } }), /cannot be specified in combination with resourceAttributes/);
});

test('LocalSubjectAccessReview checks the namespace; SelfSubjectAccessReview uses the caller', async () => {
  const ok = await localSubjectAccessReview(z, { spec: { user: 'alice', resourceAttributes: { namespace: 'a', verb: 'get', resource: 'pods' } } }, 'a');
  assert.equal((ok.status as { allowed: boolean }).allowed, true);
  assert.equal(ok.metadata?.namespace, 'a');
  await assert.rejects(localSubjectAccessReview(z, { spec: { user: 'alice', resourceAttributes: { namespace: 'b', verb: 'get', resource: 'pods' } } }, 'a'), (e: unknown) => e instanceof StatusError && e.code === 400);
  await assert.rejects(localSubjectAccessReview(z, { spec: { user: 'alice', nonResourceAttributes: { path: '/', verb: 'get' } } }, 'a'), /disallowed on this kind of request/);
  const self = await selfSubjectAccessReview(z, { spec: { resourceAttributes: { namespace: 'a', verb: 'get', resource: 'pods' } } }, { name: 'alice', groups: [] });
  assert.equal((self.status as { allowed: boolean }).allowed, true);
  const other = await selfSubjectAccessReview(z, { spec: { resourceAttributes: { namespace: 'a', verb: 'get', resource: 'pods' } } }, { name: 'bob', groups: [] });
  assert.equal((other.status as { allowed: boolean }).allowed, false);
});

test('SelfSubjectRulesReview splits rules and reports incompleteness and errors', () => {
  const out = selfSubjectRulesReview([
    { rulesFor: () => ({ rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['p'] }, { verbs: ['get'], nonResourceURLs: ['/api'] }], incomplete: false, errors: ['role.rbac.authorization.k8s.io "x" not found'] }) },
    { rulesFor: () => ({ rules: [], incomplete: true, errors: [] }) },
  ], { spec: { namespace: 'a' } }, { name: 'alice', groups: [] });
  assert.deepEqual(out.status, {
    resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['p'] }],
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api'] }],
    incomplete: true,
    evaluationError: 'role.rbac.authorization.k8s.io "x" not found',
  });
});
