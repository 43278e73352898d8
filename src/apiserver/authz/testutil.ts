// A fake watch cache for the authorizer tests: objects by resource, with change listeners.
import type { CacheView, Lookup } from './rbac/authorizer.js';

export class FakeCache {
  private readonly views = new Map<string, CacheView & { store: { cache: { listeners: Set<(ev: never) => void> } } }>();

  private view(resource: string) {
    let v = this.views.get(resource);
    if (!v) {
      const prefix = `/registry/${resource}/`;
      const namespaced = ['roles', 'rolebindings', 'pods', 'secrets', 'configmaps', 'persistentvolumeclaims'].includes(resource);
      v = { store: { key: (ns: string, name: string) => (namespaced ? `${prefix}${ns}/${name}` : `${prefix}${name}`), cache: { objects: new Map(), listeners: new Set() } } };
      this.views.set(resource, v);
    }
    return v;
  }

  put(resource: string, obj: { metadata?: { name?: string; namespace?: string } } & Record<string, unknown>): void {
    const v = this.view(resource);
    v.store.cache.objects.set(v.store.key!(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''), { obj });
    for (const l of v.store.cache.listeners) l(undefined as never);
  }

  remove(resource: string, namespace: string, name: string): void {
    const v = this.view(resource);
    v.store.cache.objects.delete(v.store.key!(namespace, name));
    for (const l of v.store.cache.listeners) l(undefined as never);
  }

  readonly lookup: Lookup = (_g, _v, resource) => this.view(resource);
}
