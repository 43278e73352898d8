// The controller scale behind a pod (upstream disruption controller's finders): ReplicationController,
// Deployment (through the pod's ReplicaSet), ReplicaSet not owned by a Deployment and StatefulSet
// from the informers; any other owner through its /scale subresource, found by discovery the way
// a RESTMapper would. A percentage in a budget is taken of the sum of these scales.
import { APIError, type RESTClient } from '../../client/rest.js';
import type { Obj, SharedInformer } from '../../client/informer.js';
import type { OwnerReference } from '../common/controllerref.js';
import { getControllerOf } from '../common/controllerref.js';

export interface ControllerAndScale { uid: string; scale: number }

type Scalable = Obj & { spec?: { replicas?: number } };

interface APIResource { name: string; kind: string; group?: string; version?: string }

/** Scale versions a scale client understands (scale.NewScaleConverter().ScaleVersions()). */
const SCALE_VERSIONS = new Set(['autoscaling/v1', 'extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2']);
const DISCOVERY_TTL_MS = 30_000;

/** schema.ParseGroupVersion */
export function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  throw new Error(`unexpected GroupVersion string: ${apiVersion}`);
}

/** verifyGroupKind */
function isKind(ref: OwnerReference, kind: string, groups: string[]): boolean {
  const { group } = parseGroupVersion(ref.apiVersion);
  return ref.kind === kind && groups.includes(group);
}

export interface Informers {
  rc: SharedInformer<Scalable>;
  rs: SharedInformer<Scalable>;
  deployments: SharedInformer<Scalable>;
  statefulsets: SharedInformer<Scalable>;
}

export class OwnerScales {
  private discovery = new Map<string, { at: number; resources: APIResource[] | undefined }>();

  constructor(private readonly client: RESTClient, private readonly inf: Informers, private readonly now: () => number = Date.now) {}

  /** The owner `ref` of a pod in `ns` and its scale; undefined when no finder knows it. */
  async find(ref: OwnerReference, ns: string): Promise<ControllerAndScale | undefined> {
    return this.replicationController(ref, ns) ?? this.deployment(ref, ns) ?? this.replicaSet(ref, ns)
      ?? this.statefulSet(ref, ns) ?? await this.scaleSubresource(ref, ns);
  }

  private cached(inf: SharedInformer<Scalable>, ns: string, ref: { name: string; uid: string }): Scalable | undefined {
    const o = inf.store.get(`${ns}/${ref.name}`);
    return o && o.metadata.uid === ref.uid ? o : undefined;
  }

  private replicationController(ref: OwnerReference, ns: string): ControllerAndScale | undefined {
    if (!isKind(ref, 'ReplicationController', [''])) return undefined;
    const rc = this.cached(this.inf.rc, ns, ref);
    return rc ? { uid: ref.uid, scale: rc.spec?.replicas ?? 1 } : undefined;
  }

  private replicaSet(ref: OwnerReference, ns: string): ControllerAndScale | undefined {
    if (!isKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = this.cached(this.inf.rs, ns, ref);
    if (!rs) return undefined;
    // a Deployment's ReplicaSet counts through its Deployment
    if (getControllerOf(rs)?.kind === 'Deployment') return undefined;
    return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 };
  }

  private deployment(ref: OwnerReference, ns: string): ControllerAndScale | undefined {
    if (!isKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = this.cached(this.inf.rs, ns, ref);
    const dref = rs && getControllerOf(rs);
    if (!dref || !isKind(dref, 'Deployment', ['apps', 'extensions'])) return undefined;
    const d = this.cached(this.inf.deployments, ns, dref);
    return d ? { uid: dref.uid, scale: d.spec?.replicas ?? 1 } : undefined;
  }

  private statefulSet(ref: OwnerReference, ns: string): ControllerAndScale | undefined {
    if (!isKind(ref, 'StatefulSet', ['apps'])) return undefined;
    const ss = this.cached(this.inf.statefulsets, ns, ref);
    return ss ? { uid: ref.uid, scale: ss.spec?.replicas ?? 1 } : undefined;
  }

  /** getScaleController: GET the owner's /scale; a 404 is "gone" unless the kind has no /scale at all. */
  private async scaleSubresource(ref: OwnerReference, ns: string): Promise<ControllerAndScale | undefined> {
    const gv = parseGroupVersion(ref.apiVersion);
    const resources = await this.resources(gv.group, gv.version);
    const mapping = resources?.find((r) => !r.name.includes('/') && r.kind === ref.kind);
    if (!mapping) {
      throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(gv.group ? `${gv.group}/${gv.version}` : gv.version)}`);
    }
    const base = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
    let scale: { metadata?: { uid?: string }; spec?: { replicas?: number } };
    try {
      scale = await this.client.request('GET', `${base}/namespaces/${ns}/${mapping.name}/${encodeURIComponent(ref.name)}/scale`);
    } catch (err) {
      if (!(err instanceof APIError) || err.code !== 404) throw err;
      const sub = resources!.find((r) => r.name === `${mapping.name}/scale`);
      const implementsScale = sub !== undefined && sub.kind === 'Scale' && SCALE_VERSIONS.has(`${sub.group ?? ''}/${sub.version ?? ''}`);
      if (!implementsScale) throw new Error(`${mapping.name}${gv.group ? `.${gv.group}` : ''} does not implement the scale subresource`);
      return undefined;
    }
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
  }

  /** The APIResourceList of a group version, cached briefly (a missing group version is undefined). */
  private async resources(group: string, version: string): Promise<APIResource[] | undefined> {
    const key = `${group}/${version}`;
    const hit = this.discovery.get(key);
    if (hit && this.now() - hit.at < DISCOVERY_TTL_MS) return hit.resources;
    let resources: APIResource[] | undefined;
    try {
      const list = await this.client.request<{ resources?: APIResource[] }>('GET', group ? `/apis/${group}/${version}` : `/api/${version}`);
      resources = list.resources ?? [];
    } catch (err) {
      if (!(err instanceof APIError) || err.code !== 404) throw err;
    }
    this.discovery.set(key, { at: this.now(), resources });
    return resources;
  }
}

/**
 * getExpectedScale: the sum of the scales of the pods' controllers (each counted once). Pods with
 * no controller are returned as unmanaged; a controller no finder knows is an error.
 */
export async function expectedScale(pods: Obj[], find: (ref: OwnerReference, ns: string) => Promise<ControllerAndScale | undefined>):
  Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const p of pods) {
    const ref = getControllerOf(p);
    if (!ref) { unmanagedPods.push(String(p.metadata.name)); continue; }
    if (scales.has(ref.uid)) continue;
    const found = await find(ref, p.metadata.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(p.metadata.name)}`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}
