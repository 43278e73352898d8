import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactString, nonResourceURLMatches, resourceMatches, ruleAllows, type PolicyRule } from './rules.js';

const req = (verb: string, apiGroup: string, resource: string, subresource = '', name = '') =>
  ({ verb, isResourceRequest: true, apiGroup, resource, subresource, name, path: '' });

test('resource matching: exact, *, res/sub and */sub', () => {
  const r: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods', 'pods/log', '*/scale'] };
  assert.equal(resourceMatches(r, 'pods', ''), true);
  assert.equal(resourceMatches(r, 'pods/log', 'log'), true);
  assert.equal(resourceMatches(r, 'pods/exec', 'exec'), false);
  assert.equal(resourceMatches(r, 'deployments/scale', 'scale'), true);
  // */scale does not match a resource named "scale" without a subresource
  assert.equal(resourceMatches(r, 'scale', ''), false);
  assert.equal(resourceMatches({ verbs: ['get'], resources: ['*'] }, 'anything/sub', 'sub'), true);
  // a rule for pods does not grant its subresources
  assert.equal(ruleAllows(req('get', '', 'pods', 'log'), { verbs: ['get'], apiGroups: [''], resources: ['pods'] }), false);
});

test('verbs, groups and resourceNames', () => {
  const r: PolicyRule = { verbs: ['get', 'update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] };
  assert.equal(ruleAllows(req('get', 'apps', 'deployments', '', 'web'), r), true);
  assert.equal(ruleAllows(req('get', 'apps', 'deployments', '', 'db'), r), false);
  assert.equal(ruleAllows(req('list', 'apps', 'deployments'), r), false, 'names restrict; list has no name');
  assert.equal(ruleAllows(req('get', '', 'deployments', '', 'web'), r), false, 'wrong group');
  assert.equal(ruleAllows(req('delete', 'apps', 'deployments', '', 'web'), r), false);
  assert.equal(ruleAllows(req('delete', 'x', 'y'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), true);
  assert.equal(ruleAllows(req('get', '', 'pods'), { verbs: ['get'], resources: ['pods'] }), false, 'no apiGroups matches nothing');
});

test('non-resource URLs with * suffix', () => {
  const r: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
  assert.equal(nonResourceURLMatches(r, '/healthz'), true);
  assert.equal(nonResourceURLMatches(r, '/healthz/etcd'), false);
  assert.equal(nonResourceURLMatches(r, '/apis/apps/v1'), true);
  assert.equal(nonResourceURLMatches(r, '/apis'), false);
  const nr = { verb: 'get', isResourceRequest: false, apiGroup: '', resource: '', subresource: '', name: '', path: '/healthz' };
  assert.equal(ruleAllows(nr, r), true);
  assert.equal(ruleAllows({ ...nr, verb: 'post' }, r), false);
  // a resource rule never grants a path
  assert.equal(ruleAllows(nr, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), false);
});

test('compactString is upstream CompactString', () => {
  assert.equal(compactString({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }), '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}');
  assert.equal(compactString({ verbs: ['get'], nonResourceURLs: ['/x'] }), '{NonResourceURLs:["/x"], Verbs:["get"]}');
});
