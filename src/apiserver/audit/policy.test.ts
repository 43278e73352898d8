import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parsePolicy, loadPolicyFile, policyEvaluator, ruleMatches, type PolicyAttributes, type PolicyRule } from './policy.js';

const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };

function attrs(over: Partial<PolicyAttributes>): PolicyAttributes {
  return { user: alice, verb: 'get', isResourceRequest: true, path: '/api/v1/namespaces/default/pods/p', apiGroup: '',
    namespace: 'default', resource: 'pods', subresource: '', name: 'p', ...over };
}

test('rule matching table (upstream policy checker)', () => {
  const cases: [string, PolicyRule, Partial<PolicyAttributes>, boolean][] = [
    ['empty rule matches everything', { level: 'Metadata' }, {}, true],
    ['users: listed', { level: 'Metadata', users: ['alice'] }, {}, true],
    ['users: not listed', { level: 'Metadata', users: ['bob'] }, {}, false],
    ['users: no user', { level: 'Metadata', users: ['alice'] }, { user: undefined }, false],
    ['userGroups: any group', { level: 'Metadata', userGroups: ['x', 'devs'] }, {}, true],
    ['userGroups: none', { level: 'Metadata', userGroups: ['ops'] }, {}, false],
    ['verbs: listed', { level: 'Metadata', verbs: ['get', 'list'] }, {}, true],
    ['verbs: not listed', { level: 'Metadata', verbs: ['create'] }, {}, false],
    ['namespaces: listed', { level: 'Metadata', namespaces: ['default'] }, {}, true],
    ['namespaces: other', { level: 'Metadata', namespaces: ['kube-system'] }, {}, false],
    ['namespaces: "" is cluster scope', { level: 'Metadata', namespaces: [''] }, { namespace: '', resource: 'nodes' }, true],
    ['namespaces never match non-resource', { level: 'Metadata', namespaces: [''] }, { isResourceRequest: false, path: '/healthz' }, false],
    ['group with no resources', { level: 'Metadata', resources: [{ group: '' }] }, {}, true],
    ['group differs', { level: 'Metadata', resources: [{ group: 'apps' }] }, {}, false],
    ['resource exact', { level: 'Metadata', resources: [{ group: '', resources: ['pods'] }] }, {}, true],
    ['resource does not cover subresource', { level: 'Metadata', resources: [{ group: '', resources: ['pods'] }] }, { subresource: 'log' }, false],
    ['resource/subresource', { level: 'Metadata', resources: [{ group: '', resources: ['pods/log'] }] }, { subresource: 'log' }, true],
    ['resource/subresource other', { level: 'Metadata', resources: [{ group: '', resources: ['pods/log'] }] }, { subresource: 'exec' }, false],
    ['* covers subresources', { level: 'Metadata', resources: [{ group: '', resources: ['*'] }] }, { subresource: 'status' }, true],
    ['*/status', { level: 'Metadata', resources: [{ group: '', resources: ['*/status'] }] }, { resource: 'services', subresource: 'status' }, true],
    ['*/status not main resource', { level: 'Metadata', resources: [{ group: '', resources: ['*/status'] }] }, {}, false],
    ['pods/* covers pods', { level: 'Metadata', resources: [{ group: '', resources: ['pods/*'] }] }, {}, true],
    ['pods/* covers pods/exec', { level: 'Metadata', resources: [{ group: '', resources: ['pods/*'] }] }, { subresource: 'exec' }, true],
    ['pods/* not services', { level: 'Metadata', resources: [{ group: '', resources: ['pods/*'] }] }, { resource: 'services' }, false],
    ['resourceNames: listed', { level: 'Metadata', resources: [{ group: '', resources: ['pods'], resourceNames: ['p'] }] }, {}, true],
    ['resourceNames: other', { level: 'Metadata', resources: [{ group: '', resources: ['pods'], resourceNames: ['q'] }] }, {}, false],
    ['resources never match non-resource', { level: 'Metadata', resources: [{ group: '' }] }, { isResourceRequest: false, path: '/api' }, false],
    ['nonResourceURLs exact', { level: 'Metadata', nonResourceURLs: ['/healthz'] }, { isResourceRequest: false, path: '/healthz' }, true],
    ['nonResourceURLs prefix *', { level: 'Metadata', nonResourceURLs: ['/healthz*'] }, { isResourceRequest: false, path: '/healthz/etcd' }, true],
    ['nonResourceURLs other', { level: 'Metadata', nonResourceURLs: ['/healthz*'] }, { isResourceRequest: false, path: '/version' }, false],
    ['nonResourceURLs never match resources', { level: 'Metadata', nonResourceURLs: ['*'] }, {}, false],
    ['nonResourceURLs *', { level: 'Metadata', nonResourceURLs: ['*'] }, { isResourceRequest: false, path: '/x' }, true],
    ['apps group', { level: 'Metadata', resources: [{ group: 'apps', resources: ['deployments/scale'] }] }, { apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }, true],
  ];
  for (const [name, rule, over, want] of cases) assert.equal(ruleMatches(rule, attrs(over)), want, name);
});

test('first matching rule decides; no match is None with the policy omitStages', () => {
  const p = parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
- level: None
  users: [system:kube-proxy]
- level: RequestResponse
  resources: [{group: "", resources: [secrets]}]
  omitStages: [ResponseStarted]
  omitManagedFields: false
- level: Metadata
  namespaces: [default]
`);
  const ev = policyEvaluator(p);
  assert.equal(ev(attrs({ user: { name: 'system:kube-proxy', groups: [] }, resource: 'secrets' })).level, 'None');
  const sec = ev(attrs({ resource: 'secrets' }));
  assert.equal(sec.level, 'RequestResponse');
  assert.deepEqual([...sec.omitStages].sort(), ['RequestReceived', 'ResponseStarted']);
  assert.equal(sec.omitManagedFields, false);
  const md = ev(attrs({}));
  assert.equal(md.level, 'Metadata');
  assert.equal(md.omitManagedFields, true, 'policy-level omitManagedFields applies when the rule says nothing');
  const none = ev(attrs({ namespace: 'other' }));
  assert.equal(none.level, 'None');
  assert.deepEqual([...none.omitStages], ['RequestReceived']);
});

test('accepts JSON policies', () => {
  const p = parsePolicy('{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Metadata"}]}');
  assert.equal(p.rules[0].level, 'Metadata');
});

test('rejects bad policies with upstream wording', () => {
  const bad: [string, RegExp][] = [
    ['rules: [', /^failed decoding: error converting YAML to JSON: yaml: /],
    ['kind: Policy\nrules: []', /^failed decoding: Object 'apiVersion' is missing in/],
    ['apiVersion: audit.k8s.io/v1\nrules: []', /^failed decoding: Object 'Kind' is missing in/],
    ['apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]', /no kind "Policy" is registered for version "audit.k8s.io\/v1beta1"/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []', /^loaded illegal policy with 0 rules$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy', /^loaded illegal policy with 0 rules$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: 7', /^failed decoding: json: cannot unmarshal number into Go struct field Policy.rules of type \[\]v1.PolicyRule$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata, verbs: get}]', /cannot unmarshal string into Go struct field PolicyRule.rules.verbs of type \[\]string/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{verbs: [get]}]', /^rules\[0\].level: Required value$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Everything}]',
      /^rules\[0\].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: [healthz]}]',
      /^rules\[0\].nonResourceURLs\[0\]: Invalid value: "healthz": non-resource URL rules must begin with a '\/' character$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: ["/a*b"]}]', /wildcards '\*' must be the final character of the rule/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, nonResourceURLs: ["/a"], namespaces: [x]}]',
      /^rules\[0\].nonResourceURLs: Invalid value: \[\]string\{"\/a"\}: rules cannot apply to both regular resources and non-resource URLs$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, resources: [{group: rbac.authorization.k8s.io/v1}]}]', /^rules\[0\].resources.group: Invalid value: "rbac.authorization.k8s.io\/v1": /],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, resources: [{group: "", resourceNames: [a]}]}]', /using resourceNames requires at least one resource/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: None, omitStages: [Started]}]',
      /^rules\[0\].omitStages\[0\]: Invalid value: "Started": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic$/],
    ['apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: x}, {}]', /^\[rules\[0\].level: Unsupported value: "x".*, rules\[1\].level: Required value\]$/],
  ];
  for (const [text, re] of bad) assert.throws(() => parsePolicy(text), (e: Error) => re.test(e.message) || assert.fail(`${JSON.stringify(text)}: ${e.message}`));
});

test('loadPolicyFile names the file in errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-audit-policy-'));
  try {
    const f = join(dir, 'policy.yaml');
    writeFileSync(f, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n');
    await assert.rejects(loadPolicyFile(f), (e: Error) => e.message.startsWith('loading audit policy file: rules[0].level: Unsupported value') && e.message.endsWith(`: from file ${f}`));
    await assert.rejects(loadPolicyFile(join(dir, 'missing.yaml')), /loading audit policy file: failed to read file path ".*missing.yaml"/);
    writeFileSync(f, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n');
    assert.equal((await loadPolicyFile(f)).rules.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
