// Admission plugins about namespaces, service accounts, nodes, scheduling and storage.
// Each reads what it needs from the server's watch caches.
import type { KObject } from '../../api/types.js';
import type { APIServer } from '../server.js';
import type { PluginFactory } from './plugins.js';
import { newServiceAccountPlugin } from './core/serviceaccount.js';
import { newPriorityPlugin, type PriorityClass } from './core/priority.js';
import { newDefaultTolerationSecondsPlugin } from './core/tolerations.js';
import { newDefaultStorageClassPlugin } from './core/storageclass.js';
import { newStorageObjectInUseProtectionPlugin } from './core/storageprotection.js';
import { newNodeRestrictionPlugin } from './core/noderestriction.js';

/** every cached object of a resource, after the cache caught up with acknowledged writes */
async function cached(server: APIServer, group: string, version: string, resource: string): Promise<Iterable<KObject>> {
  await server.cache.sync();
  const sr = server.lookup(group, version, resource);
  return sr ? [...sr.store.cache.objects.values()].map((c) => c.obj) : [];
}

function cachedOne(server: APIServer, resource: string, namespace: string, name: string): KObject | undefined {
  const sr = server.lookup('', 'v1', resource);
  return sr?.store.cache.objects.get(sr.store.key(namespace, name))?.obj;
}

export const corePlugins: Record<string, PluginFactory> = {
  ServiceAccount: (server) => newServiceAccountPlugin({
    getServiceAccount: async (ns, name) => {
      // reads after a write must see it (a client creating an account then a pod)
      await server().cache.sync();
      return cachedOne(server(), 'serviceaccounts', ns, name);
    },
  }),
  NodeRestriction: (server) => newNodeRestrictionPlugin({ getPod: (ns, name) => cachedOne(server(), 'pods', ns, name) }),
  Priority: (server) => newPriorityPlugin({ priorityClasses: () => cached(server(), 'scheduling.k8s.io', 'v1', 'priorityclasses') as Promise<Iterable<PriorityClass>> }),
  DefaultTolerationSeconds: () => newDefaultTolerationSecondsPlugin(),
  DefaultStorageClass: (server) => newDefaultStorageClassPlugin({ storageClasses: () => cached(server(), 'storage.k8s.io', 'v1', 'storageclasses') }),
  StorageObjectInUseProtection: () => newStorageObjectInUseProtectionPlugin(),
};
