// @peculiar/x509 resolves its algorithm plug-ins through tsyringe, which refuses to load unless the
// Reflect metadata API exists. We only need the three calls tsyringe makes, so a tiny WeakMap store
// stands in for the `reflect-metadata` package. It defers to a real polyfill if one is already loaded.

type MetadataTarget = object;
type MetadataMap = Map<unknown, unknown>;

interface ReflectMetadataAPI {
  getMetadata?: (key: unknown, target: MetadataTarget, property?: PropertyKey) => unknown;
  getOwnMetadata?: (key: unknown, target: MetadataTarget, property?: PropertyKey) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: MetadataTarget, property?: PropertyKey) => void;
}

const reflect = Reflect as unknown as ReflectMetadataAPI;

if (typeof reflect.getMetadata !== 'function') {
  const store = new WeakMap<MetadataTarget, Map<PropertyKey | undefined, MetadataMap>>();

  const own = (target: MetadataTarget, property: PropertyKey | undefined, create: boolean): MetadataMap | undefined => {
    let byProperty = store.get(target);
    if (!byProperty) {
      if (!create) return undefined;
      byProperty = new Map();
      store.set(target, byProperty);
    }
    let map = byProperty.get(property);
    if (!map && create) {
      map = new Map();
      byProperty.set(property, map);
    }
    return map;
  };

  reflect.defineMetadata = (key, value, target, property) => {
    own(target, property, true)!.set(key, value);
  };
  reflect.getOwnMetadata = (key, target, property) => own(target, property, false)?.get(key);
  // Walks the prototype chain, as reflect-metadata does for inherited metadata.
  reflect.getMetadata = (key, target, property) => {
    for (let t: MetadataTarget | null = target; t; t = Object.getPrototypeOf(t) as MetadataTarget | null) {
      const map = own(t, property, false);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
}

export {};
