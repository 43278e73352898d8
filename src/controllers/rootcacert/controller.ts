// The root CA certificate publisher (upstream's root-ca-cert-publisher in kube-controller-manager):
// a `kube-root-ca.crt` ConfigMap with the cluster CA bundle under `ca.crt` in every active
// namespace, so pods can verify the API server; edits and deletions are put back.
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { PerNamespaceController } from '../serviceaccount/pernamespace.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';

interface ConfigMap { metadata: { name: string; resourceVersion?: string; annotations?: Record<string, string> }; data?: Record<string, string> }

export function newRootCACertPublisher(client: RESTClient, factory: SharedInformerFactory, caPem: () => string, log?: (msg: string) => void): PerNamespaceController {
  return new PerNamespaceController(client, factory, {
    name: 'root_ca_cert_publisher', ownedPath: '/api/v1/configmaps', ownedName: ROOT_CA_CONFIGMAP, log,
    async ensure(ns) {
      const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps`;
      const data = { 'ca.crt': caPem() };
      let cm: ConfigMap;
      try {
        cm = await client.request<ConfigMap>('GET', `${path}/${ROOT_CA_CONFIGMAP}`);
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
        try {
          await client.request('POST', path, {
            apiVersion: 'v1', kind: 'ConfigMap',
            metadata: { name: ROOT_CA_CONFIGMAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data,
          });
        } catch (e) {
          if (!(e instanceof APIError && e.code === 409)) throw e;
        }
        return;
      }
      // upstream rewrites only the data (and restores the description), keeping other fields
      if (JSON.stringify(cm.data ?? {}) === JSON.stringify(data) && cm.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
      cm.data = data;
      cm.metadata.annotations = { ...(cm.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION };
      await client.request('PUT', `${path}/${ROOT_CA_CONFIGMAP}`, { apiVersion: 'v1', kind: 'ConfigMap', ...cm });
    },
  });
}
