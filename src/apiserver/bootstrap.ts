// What upstream's bootstrap controllers create inside the apiserver: the system namespaces and the
// `kubernetes` Service (first IP of the service range) with its Endpoints and EndpointSlice
// pointing at this server.
import { StatusError } from '../machinery/errors.js';
import type { KObject } from '../api/types.js';
import type { APIServer } from './server.js';
import { ensureBootstrapPolicy, ensureNamespacedBootstrapPolicy } from './authz/index.js';
import { AUTOUPDATE, FLOW_SCHEMAS, PRIORITY_LEVELS } from './flowcontrol/index.js';
import { isDeepStrictEqual } from 'node:util';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(server: APIServer, group: string, version: string, resource: string, namespace: string, obj: KObject,
  reconcile?: (current: KObject) => KObject | undefined): Promise<void> {
  const sr = server.lookup(group, version, resource)!;
  const name = obj.metadata!.name!;
  const cur = sr.store.cache.objects.get(sr.store.key(namespace, name));
  if (!cur) {
    try {
      await sr.store.create(structuredClone(obj), namespace, { dryRun: false });
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
    }
    return;
  }
  if (reconcile) {
    const next = reconcile(structuredClone(cur.obj));
    if (next) await sr.store.update(namespace, name, () => next, { dryRun: false });
  }
}

/**
 * The APF configuration (upstream's apf configuration-ensurer): missing objects are created; ones
 * still marked for auto-update get their spec put back; ones an admin took over are left alone.
 */
async function ensureFlowControl(server: APIServer): Promise<void> {
  const fix = (want: KObject) => (cur: KObject) => {
    if (cur.metadata?.annotations?.[AUTOUPDATE] !== 'true' || isDeepStrictEqual(cur.spec, want.spec)) return undefined;
    cur.spec = structuredClone(want.spec);
    return cur;
  };
  for (const pl of PRIORITY_LEVELS) {
    await ensure(server, 'flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations', '', pl as unknown as KObject, fix(pl as unknown as KObject));
  }
  for (const fs of FLOW_SCHEMAS) {
    await ensure(server, 'flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas', '', fs as unknown as KObject, fix(fs as unknown as KObject));
  }
}

/**
 * kube-system/extension-apiserver-authentication (upstream's ClientCARegistrationHook): the client
 * CA and the front-proxy request-header settings, so extension API servers (metrics-server, …)
 * can authenticate what the aggregator forwards. Kept in step with the flags on every start.
 */
async function ensureExtensionAuthentication(server: APIServer): Promise<void> {
  const ea = server.config.extensionAuthentication;
  if (!ea) return;
  const rh = ea.requestHeader;
  const data: Record<string, string> = {
    'client-ca-file': ea.clientCAPem,
    'requestheader-client-ca-file': rh.caPem,
    'requestheader-allowed-names': JSON.stringify(rh.allowedNames),
    'requestheader-username-headers': JSON.stringify(rh.usernameHeaders),
    'requestheader-group-headers': JSON.stringify(rh.groupHeaders),
    'requestheader-extra-headers-prefix': JSON.stringify(rh.extraHeaderPrefixes),
  };
  await ensure(server, '', 'v1', 'configmaps', 'kube-system',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' }, data },
    (cur) => (isDeepStrictEqual(cur.data, data) ? undefined : { ...cur, data }));
}

export async function bootstrap(server: APIServer): Promise<void> {
  await ensureBootstrapPolicy(server);
  if (server.flowControl) await ensureFlowControl(server);
  for (const ns of SYSTEM_NAMESPACES) {
    await ensure(server, '', 'v1', 'namespaces', '', { metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } } });
  }
  await ensureNamespacedBootstrapPolicy(server);
  await ensureExtensionAuthentication(server);
  const port = server.listenPort;
  const ip = server.allocators.serviceIPs.ipAt(0);
  await ensure(server, '', 'v1', 'services', 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP', clusterIP: ip, sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
    },
  }, (cur) => {
    const spec = cur.spec as { ports?: { targetPort?: number }[] };
    if (spec.ports?.[0]?.targetPort === port) return undefined;
    spec.ports = [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port } as never];
    return cur;
  });
  const addr = server.config.advertiseAddress;
  if (!addr) return;
  const subsets = [{ addresses: [{ ip: addr }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  await ensure(server, '', 'v1', 'endpoints', 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets,
  }, (cur) => {
    if (JSON.stringify(cur.subsets) === JSON.stringify(subsets)) return undefined;
    cur.subsets = subsets;
    return cur;
  });
  const slice = {
    addressType: 'IPv4',
    endpoints: [{ addresses: [addr], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  await ensure(server, 'discovery.k8s.io', 'v1', 'endpointslices', 'default', {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    ...slice,
  }, (cur) => {
    if (JSON.stringify(cur.endpoints) === JSON.stringify(slice.endpoints) && JSON.stringify(cur.ports) === JSON.stringify(slice.ports)) return undefined;
    Object.assign(cur, slice);
    return cur;
  });
}
