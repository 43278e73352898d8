// What the webhook and ValidatingAdmissionPolicy plugins both read from the API server's own caches:
// one object (a namespace for namespaceSelector, a Service for clientConfig.service) and the served
// versions of a resource (for matchPolicy Equivalent).

import type { KObject, ResourceType } from '../../api/types.js';
import type { APIServer } from '../server.js';
import type { ServedVersion } from './request.js';

/** one object of a v1 resource from the server's cache */
export function cachedObject(server: APIServer, group: string, resource: string, namespace: string, name: string): KObject | undefined {
  const sr = server.lookup(group, 'v1', resource);
  return sr?.store.cache.objects.get(sr.store.key(namespace, name))?.obj;
}

/**
 * the served versions that share a resource's storage (the request's own among them; just the request's
 * when the server does not serve it), looked up once per resource type
 */
export function servedVersions(server: () => APIServer): (type: ResourceType) => ServedVersion[] {
  const byType = new WeakMap<ResourceType, ServedVersion[]>();
  return (type) => {
    let v = byType.get(type);
    if (!v) {
      const s = server();
      const own = s.lookup(type.group, type.version, type.resource);
      v = own ? s.registry.all().filter((x) => x.store === own.store).map((x) => ({ type: x.type, convert: x.convert })) : [{ type }];
      byType.set(type, v);
    }
    return v;
  };
}
