// Wiring the simulator's metrics API into a cluster, as metrics-server's manifests do: a Service
// without a selector, hand-written Endpoints pointing at 127.0.0.1:<port> (loopback endpoints are
// allowed in Kumo) and the APIService v1beta1.metrics.k8s.io with our serving CA as caBundle. Also
// where the front-proxy CA comes from: the extension-apiserver-authentication ConfigMap (as a real
// extension server reads it) when the cluster publishes one, else a file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { APIError, type RESTClient } from '../../client/rest.js';
import { createCA, issueCertificate } from '../../pki/index.js';
import { GROUP, VERSION } from './source.js';
import type { RequestHeaderConfig } from './server.js';

type Obj = Record<string, unknown>;

export const SERVICE_NAMESPACE = 'kube-system';
export const SERVICE_NAME = 'metrics-server';
export const APISERVICE_NAME = `${VERSION}.${GROUP}`;

/** Objects that register an extension server listening on 127.0.0.1:port. */
export function registrationObjects(port: number, caBundlePem: string): { service: Obj; endpoints: Obj; apiService: Obj } {
  const labels = { 'k8s-app': 'metrics-server', 'app.kubernetes.io/managed-by': 'kumo-sim-nodes' };
  return {
    service: {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: SERVICE_NAME, namespace: SERVICE_NAMESPACE, labels },
      spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
    },
    endpoints: {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: SERVICE_NAME, namespace: SERVICE_NAMESPACE, labels },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    },
    apiService: {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
      metadata: { name: APISERVICE_NAME, labels },
      spec: {
        group: GROUP, version: VERSION, groupPriorityMinimum: 100, versionPriority: 100,
        service: { namespace: SERVICE_NAMESPACE, name: SERVICE_NAME, port: 443 },
        caBundle: Buffer.from(caBundlePem).toString('base64'),
      },
    },
  };
}

/** Create, or replace what is there (keeping its resourceVersion and the Service's cluster IP). */
async function upsert(client: RESTClient, collection: string, obj: Obj): Promise<void> {
  const name = (obj.metadata as { name: string }).name;
  try {
    await client.request('POST', collection, obj);
    return;
  } catch (err) {
    if (!(err instanceof APIError && err.code === 409)) throw err;
  }
  const cur = await client.request<Obj>('GET', `${collection}/${encodeURIComponent(name)}`);
  const meta = cur.metadata as Obj;
  const next: Obj = { ...obj, metadata: { ...(obj.metadata as Obj), resourceVersion: meta.resourceVersion } };
  if (obj.kind === 'Service') next.spec = { ...(cur.spec as Obj), ports: (obj.spec as Obj).ports };
  await client.request('PUT', `${collection}/${encodeURIComponent(name)}`, next);
}

export async function register(client: RESTClient, port: number, caBundlePem: string): Promise<void> {
  const o = registrationObjects(port, caBundlePem);
  const ns = `/api/v1/namespaces/${SERVICE_NAMESPACE}`;
  await upsert(client, `${ns}/services`, o.service);
  await upsert(client, `${ns}/endpoints`, o.endpoints);
  await upsert(client, '/apis/apiregistration.k8s.io/v1/apiservices', o.apiService);
}

/** A throwaway CA and a serving certificate for metrics-server.kube-system.svc and 127.0.0.1. */
export async function servingCertificate(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const ca = await createCA('kumo-sim-metrics-ca', 1);
  const leaf = await issueCertificate(ca, {
    commonName: `${SERVICE_NAME}.${SERVICE_NAMESPACE}.svc`,
    dnsNames: [`${SERVICE_NAME}.${SERVICE_NAMESPACE}.svc`, `${SERVICE_NAME}.${SERVICE_NAMESPACE}.svc.cluster.local`, 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usages: ['server'],
    days: 365,
  });
  return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

const list = (s: string | undefined, dflt: string[]): string[] => {
  if (s === undefined || s === '') return dflt;
  try { const v = JSON.parse(s); return Array.isArray(v) ? v.map(String) : dflt; } catch { return dflt; }
};

const DEFAULT_HEADERS = { usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] };

/**
 * The request-header settings: from kube-system/extension-apiserver-authentication when it carries
 * `requestheader-client-ca-file`; else `caFile` (the --metrics-requestheader-client-ca-file flag);
 * else the front-proxy CA of a Kumo data dir next to the kubeconfig (DATA-DIR/pki/front-proxy-ca.crt).
 */
export async function requestHeaderConfig(client: RESTClient, o: { caFile: string; allowedNames: string[]; kubeconfig: string }): Promise<{ cfg: RequestHeaderConfig; from: string }> {
  try {
    const cm = await client.request<{ data?: Record<string, string> }>('GET', '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');
    const d = cm.data ?? {};
    if (d['requestheader-client-ca-file']) {
      return {
        from: 'configmap kube-system/extension-apiserver-authentication',
        cfg: {
          caPem: d['requestheader-client-ca-file'],
          allowedNames: list(d['requestheader-allowed-names'], []),
          usernameHeaders: list(d['requestheader-username-headers'], DEFAULT_HEADERS.usernameHeaders),
          groupHeaders: list(d['requestheader-group-headers'], DEFAULT_HEADERS.groupHeaders),
          extraHeaderPrefixes: list(d['requestheader-extra-headers-prefix'], DEFAULT_HEADERS.extraHeaderPrefixes),
        },
      };
    }
  } catch (err) {
    if (!(err instanceof APIError && (err.code === 404 || err.code === 403))) throw err;
  }
  const file = o.caFile || join(dirname(o.kubeconfig), 'pki', 'front-proxy-ca.crt');
  if (!existsSync(file)) {
    throw new Error(`no front-proxy CA: kube-system/extension-apiserver-authentication has none and ${file} does not exist (use --metrics-requestheader-client-ca-file)`);
  }
  return { from: file, cfg: { caPem: readFileSync(file, 'utf8'), allowedNames: o.allowedNames, ...DEFAULT_HEADERS } };
}
