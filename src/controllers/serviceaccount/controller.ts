// The serviceaccount controller (upstream's serviceaccount-controller in kube-controller-manager):
// a `default` ServiceAccount exists in every active namespace, and comes back when deleted.
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { PerNamespaceController } from './pernamespace.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export function newServiceAccountsController(client: RESTClient, factory: SharedInformerFactory, log?: (msg: string) => void): PerNamespaceController {
  return new PerNamespaceController(client, factory, {
    name: 'serviceaccount', ownedPath: '/api/v1/serviceaccounts', ownedName: DEFAULT_SERVICE_ACCOUNT, log,
    async ensure(ns) {
      try {
        await client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/serviceaccounts`, {
          apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT },
        });
      } catch (err) {
        if (err instanceof APIError && err.code === 409) return;
        throw err;
      }
    },
  });
}
