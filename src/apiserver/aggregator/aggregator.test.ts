import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { apiServicePrinter } from '../../api/printers/apiservice.js';
import { setCondition, sortByGroupAndVersion, type APIService, type Ordered } from './apiservice.js';
import { validateAPIService } from './validation.js';
import { authProxyHeaders, headerKeyEscape, proxyRequestHeaders, proxyResponseHeaders } from './headers.js';
import { checkAvailability, type Probe } from './availability.js';
import { resolveAll, type ServiceState } from './resolver.js';
import { pickAggregatedVersion, resourceListToAggregated } from './remotediscovery.js';

const o = (name: string, group: string, version: string, gpm: number, vp: number): Ordered =>
  ({ name, group, version, groupPriorityMinimum: gpm, versionPriority: vp });

test('groups sort by their highest groupPriorityMinimum, ties by APIService name; versions by versionPriority then kube order', () => {
  const sorted = sortByGroupAndVersion([
    o('v1.apiextensions.k8s.io', 'apiextensions.k8s.io', 'v1', 16700, 15),
    o('v1alpha1.wardle.example.com', 'wardle.example.com', 'v1alpha1', 1000, 100),
    o('v1.apps', 'apps', 'v1', 17800, 15),
    o('v1.admissionregistration.k8s.io', 'admissionregistration.k8s.io', 'v1', 16700, 15),
    o('v1beta1.wardle.example.com', 'wardle.example.com', 'v1beta1', 1000, 100),
    o('v1.autoscaling', 'autoscaling', 'v1', 17500, 15),
    o('v2.autoscaling', 'autoscaling', 'v2', 17500, 30),
    o('v1.', '', 'v1', 18000, 1),
    // a second version with a higher group priority lifts its whole group
    o('v2.wardle.example.com', 'wardle.example.com', 'v2', 17000, 1),
    o('foo1.x.io', 'x.io', 'foo1', 100, 10),
    o('v10.x.io', 'x.io', 'v10', 100, 10),
    o('v2beta1.x.io', 'x.io', 'v2beta1', 100, 10),
  ]);
  assert.deepEqual(sorted.map((g) => g[0].group), ['', 'apps', 'autoscaling', 'wardle.example.com', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'x.io']);
  assert.deepEqual(sorted[2].map((x) => x.version), ['v2', 'v1']);
  assert.deepEqual(sorted[3].map((x) => x.version), ['v1beta1', 'v1alpha1', 'v2']);
  assert.deepEqual(sorted[6].map((x) => x.version), ['v10', 'v2beta1', 'foo1']);
});

test('setCondition keeps lastTransitionTime while the status is unchanged', () => {
  const a: APIService = { metadata: { name: 'x' } };
  setCondition(a, { type: 'Available', status: 'False', reason: 'A', lastTransitionTime: 't1' });
  setCondition(a, { type: 'Available', status: 'False', reason: 'B', lastTransitionTime: 't2' });
  assert.equal(a.status!.conditions!.length, 1);
  assert.deepEqual([a.status!.conditions![0].reason, a.status!.conditions![0].lastTransitionTime], ['B', 't1']);
  setCondition(a, { type: 'Available', status: 'True', reason: 'Passed', lastTransitionTime: 't3' });
  assert.equal(a.status!.conditions![0].lastTransitionTime, 't3');
});

const svcAPI = (over: Partial<APIService['spec']> = {}, name = 'v1alpha1.wardle.example.com'): APIService => ({
  metadata: { name },
  spec: { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, service: { namespace: 'default', name: 'api', port: 443 }, ...over },
});

test('validation: name must be version.group, priorities in range, service fields required, local restrictions', () => {
  assert.deepEqual(validateAPIService(svcAPI()), []);
  const msgs = (a: APIService) => validateAPIService(a).map((e) => `${e.field}: ${e.message}`);
  assert.deepEqual(msgs(svcAPI({}, 'v1.wardle.example.com')), ['metadata.name: Invalid value: "v1.wardle.example.com": must be `spec.version+"."+spec.group`: "v1alpha1.wardle.example.com"']);
  assert.deepEqual(msgs(svcAPI({ groupPriorityMinimum: 0, versionPriority: 1001 })), [
    'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
    'spec.versionPriority: Invalid value: 1001: must be positive and less than 1000',
  ]);
  assert.deepEqual(msgs(svcAPI({ groupPriorityMinimum: 20001 })), ['spec.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000']);
  assert.deepEqual(msgs(svcAPI({ service: { port: 443 } })), ['spec.service.namespace: Required value', 'spec.service.name: Required value']);
  const ca = Buffer.from('0123456789').toString('base64');
  assert.deepEqual(msgs(svcAPI({ caBundle: ca, insecureSkipTLSVerify: true })), ['spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present']);
  assert.deepEqual(msgs(svcAPI({ service: null, caBundle: ca, insecureSkipTLSVerify: true })), [
    'spec.caBundle: Invalid value: "10 bytes": local APIServices may not have a caBundle',
    'spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify',
  ]);
  assert.deepEqual(msgs({ metadata: { name: 'v2.' }, spec: { group: '', version: 'v2', groupPriorityMinimum: 1, versionPriority: 1 } }),
    ['spec.group: Required value: only v1 may have an empty group and it better be legacy kube']);
  assert.deepEqual(msgs({ metadata: { name: 'V1.Bad_Group' }, spec: { group: 'Bad_Group', version: 'V1', groupPriorityMinimum: 1, versionPriority: 1 } }).map((m) => m.split(':')[0]),
    ['spec.group', 'spec.version']);
  assert.match(msgs({ metadata: { name: 'a/b' }, spec: { group: 'b', version: 'a', groupPriorityMinimum: 1, versionPriority: 1 } })[0], /^metadata.name: Invalid value: "a\/b": may not contain '\/'/);
});

test('headers: identity set from the user, credentials and hop-by-hop headers dropped, extra keys escaped', () => {
  assert.equal(headerKeyEscape('example.org/foo bar%'), 'example.org%2Ffoo%20bar%25');
  assert.equal(headerKeyEscape('ü'), '%C3%BC');
  const h = proxyRequestHeaders({
    authorization: 'Bearer secret', 'impersonate-user': 'x', 'x-remote-user': 'forged', 'x-remote-extra-foo': 'bar',
    connection: 'keep-alive, x-hop', 'x-hop': '1', accept: 'application/json', ':path': '/apis', 'user-agent': 'kubectl',
  }, { name: 'alice', groups: ['devs', 'system:authenticated'], extra: { 'scopes.example/x': ['a', 'b'] } }, '10.0.0.9');
  assert.deepEqual(h, {
    accept: 'application/json', 'user-agent': 'kubectl', 'x-forwarded-for': '10.0.0.9',
    'X-Remote-User': 'alice', 'X-Remote-Group': ['devs', 'system:authenticated'], 'X-Remote-Extra-scopes.example%2Fx': ['a', 'b'],
  });
  assert.deepEqual(authProxyHeaders({ name: 'u', groups: [] }), { 'X-Remote-User': 'u' });
  assert.deepEqual(proxyResponseHeaders({ 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'close' }), { 'content-type': 'application/json' });
});

function state(objs: { services?: KObject[]; endpoints?: KObject[]; slices?: KObject[] }): ServiceState {
  const find = (list: KObject[] | undefined, ns: string, name: string) => list?.find((x) => x.metadata?.namespace === ns && x.metadata?.name === name);
  return {
    service: (ns, n) => find(objs.services, ns, n),
    endpoints: (ns, n) => find(objs.endpoints, ns, n),
    endpointSlices: (ns, n) => (objs.slices ?? []).filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === n),
  };
}
const service = (ports: { name?: string; port: number }[], type?: string): KObject =>
  ({ metadata: { namespace: 'default', name: 'api' }, spec: { ports, ...(type ? { type } : {}) } });
const endpoints = (subsets: unknown[]): KObject => ({ metadata: { namespace: 'default', name: 'api' }, subsets } as KObject);

test('availability: upstream reasons and messages, in order of the checks', async () => {
  const okProbe: Probe = async () => 200;
  const a = svcAPI();
  const check = (s: ServiceState, probe: Probe = okProbe) => checkAvailability(a, s, probe);
  assert.deepEqual(await check(state({})), { type: 'Available', status: 'False', reason: 'ServiceNotFound', message: 'service/api in "default" is not present' });
  assert.deepEqual((await check(state({ services: [service([{ port: 80 }])] }))).message, 'service/api in "default" is not listening on port 443');
  assert.deepEqual(await check(state({ services: [service([{ name: 'https', port: 443 }])] })),
    { type: 'Available', status: 'False', reason: 'EndpointsNotFound', message: 'cannot find endpointslices for service/api in "default"' });
  assert.deepEqual(await check(state({ services: [service([{ name: 'https', port: 443 }])], endpoints: [endpoints([])] })),
    { type: 'Available', status: 'False', reason: 'MissingEndpoints', message: 'endpointslices for service/api in "default" have no addresses with port name "https"' });
  // the port name must match the service port's
  const wrongName = endpoints([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'other', port: 8443 }] }]);
  assert.equal((await check(state({ services: [service([{ name: 'https', port: 443 }])], endpoints: [wrongName] }))).reason, 'MissingEndpoints');
  const good = endpoints([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 8443 }] }]);
  const s = state({ services: [service([{ name: 'https', port: 443 }])], endpoints: [good] });
  const seen: string[] = [];
  assert.deepEqual(await check(s, async (ep, path) => { seen.push(`${ep.host}:${ep.port}${path}`); return 200; }),
    { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' });
  assert.equal(seen[0], '127.0.0.1:8443/apis/wardle.example.com/v1alpha1');
  assert.deepEqual(await check(s, async () => 403),
    { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'bad status from https://127.0.0.1:8443/apis/wardle.example.com/v1alpha1: 403' });
  const refused = await check(s, async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); });
  assert.equal(refused.message, 'failing or missing response from https://127.0.0.1:8443/apis/wardle.example.com/v1alpha1: '
    + 'Get "https://127.0.0.1:8443/apis/wardle.example.com/v1alpha1": dial tcp 127.0.0.1:8443: connect: connection refused');
  // EndpointSlices win over Endpoints; not-ready endpoints do not count
  const slice = (ready: boolean): KObject => ({
    metadata: { namespace: 'default', name: 'api-x', labels: { 'kubernetes.io/service-name': 'api' } },
    ports: [{ name: 'https', port: 9443 }], endpoints: [{ addresses: ['10.1.1.1'], conditions: { ready } }],
  } as KObject);
  assert.equal((await check(state({ services: [service([{ name: 'https', port: 443 }])], endpoints: [good], slices: [slice(false)] }))).reason, 'MissingEndpoints');
  assert.deepEqual(resolveAll(state({ services: [service([{ name: 'https', port: 443 }])], slices: [slice(true)] }), 'default', 'api', 443), [{ host: '10.1.1.1', port: 9443 }]);
  // NodePort services skip the endpoint checks and go to discovery, which must resolve
  assert.deepEqual(await check(state({ services: [service([{ name: 'https', port: 443 }], 'NodePort')] })),
    { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: 'no endpoints available for service "api"' });
  assert.throws(() => resolveAll(state({ services: [service([{ port: 443 }], 'ExternalName')] }), 'default', 'api', 443), /unsupported service type "ExternalName"/);
});

test('discovery conversion: an APIResourceList becomes an aggregated version entry with subresources', () => {
  const v = resourceListToAggregated({
    resources: [
      { name: 'flunders/status', namespaced: true, kind: 'Flunder', verbs: ['get', 'patch', 'update'] },
      { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list'], shortNames: ['fl'] },
      { name: 'fischers', singularName: 'fischer', namespaced: false, kind: 'Fischer', verbs: ['get'] },
    ],
  }, 'wardle.example.com', 'v1alpha1');
  assert.deepEqual(v, {
    version: 'v1alpha1', freshness: 'Current',
    resources: [
      { resource: 'fischers', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Fischer' }, scope: 'Cluster', singularResource: 'fischer', verbs: ['get'] },
      {
        resource: 'flunders', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, scope: 'Namespaced',
        singularResource: 'flunder', verbs: ['get', 'list'], shortNames: ['fl'],
        subresources: [{ subresource: 'status', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, verbs: ['get', 'patch', 'update'] }],
      },
    ],
  });
  const doc = { items: [{ metadata: { name: 'wardle.example.com' }, versions: [{ version: 'v1alpha1', resources: [] }] }] };
  assert.deepEqual(pickAggregatedVersion(doc, 'wardle.example.com', 'v1alpha1'), { version: 'v1alpha1', resources: [], freshness: 'Current' });
  assert.equal(pickAggregatedVersion(doc, 'wardle.example.com', 'v1beta1'), undefined);
  assert.equal(pickAggregatedVersion({}, 'x', 'v1'), undefined);
});

test('APIService table: SERVICE is Local or namespace/name; AVAILABLE carries the reason when not True', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  const meta = { name: 'v1alpha1.wardle.example.com', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(apiServicePrinter.columns.map((c) => c.name), ['Name', 'Service', 'Available', 'Age']);
  assert.deepEqual(apiServicePrinter.cells({ metadata: meta, spec: { service: { namespace: 'default', name: 'api' } },
    status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } } as KObject, now),
  ['v1alpha1.wardle.example.com', 'default/api', 'False (MissingEndpoints)', '10m']);
  assert.deepEqual(apiServicePrinter.cells({ metadata: meta, spec: {}, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } } as KObject, now).slice(1, 3), ['Local', 'True']);
  assert.deepEqual(apiServicePrinter.cells({ metadata: meta, spec: {} } as KObject, now)[2], 'Unknown');
});
