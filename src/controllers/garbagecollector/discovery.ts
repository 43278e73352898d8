// API discovery as the garbage collector and the namespace controller use it (client-go's
// discovery.ServerPreferredResources plus a small REST mapper): every group version the server
// serves, which resources it has and what they support, and kind → resource lookups for owner
// references, which may name any served version.
import type { RESTClient } from '../../client/rest.js';

interface APIResource { name: string; kind: string; namespaced: boolean; verbs?: string[] }
interface APIResourceList { groupVersion?: string; resources: APIResource[] }
interface APIGroup { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { groupVersion: string } }

/** One top-level resource of one group version. */
export interface DiscoveredResource {
  group: string;
  version: string;
  /** "v1" or "apps/v1" */
  groupVersion: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  /** served in the group's preferred version (the one to list/watch/delete through) */
  preferred: boolean;
}

/** A group whose resource list could not be read (upstream ErrGroupDiscoveryFailed). */
export interface GroupDiscoveryFailure { groupVersion: string; message: string }

export class DiscoveryResult {
  private byKind = new Map<string, DiscoveredResource>();

  constructor(readonly resources: DiscoveredResource[], readonly failures: GroupDiscoveryFailure[] = []) {
    for (const r of resources) this.byKind.set(`${r.groupVersion}|${r.kind}`, r);
  }

  /** The resource an owner reference's apiVersion/kind names, if served. */
  forKind(apiVersion: string, kind: string): DiscoveredResource | undefined {
    return this.byKind.get(`${apiVersion}|${kind}`);
  }

  /** Preferred-version resources that support every verb given. */
  supporting(...verbs: string[]): DiscoveredResource[] {
    return this.resources.filter((r) => r.preferred && verbs.every((v) => r.verbs.includes(v)));
  }

  /** Upstream's error text for partial discovery: "unable to retrieve the complete list of server APIs: …". */
  failureMessage(): string | undefined {
    if (this.failures.length === 0) return undefined;
    const parts = [...this.failures].sort((a, b) => a.groupVersion.localeCompare(b.groupVersion)).map((f) => `${f.groupVersion}: ${f.message}`);
    return `unable to retrieve the complete list of server APIs: ${parts.join(', ')}`;
  }
}

/** Path prefix of a group version: /api/v1 or /apis/<group>/<version>. */
export function groupVersionPrefix(groupVersion: string): string {
  return groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
}

/** The collection path of a resource, in a namespace when given (and namespaced). */
export function collectionPath(r: Pick<DiscoveredResource, 'groupVersion' | 'resource' | 'namespaced'>, namespace?: string): string {
  const prefix = groupVersionPrefix(r.groupVersion);
  return r.namespaced && namespace ? `${prefix}/namespaces/${namespace}/${r.resource}` : `${prefix}/${r.resource}`;
}

/** The path of one object of a resource. */
export function objectPath(r: Pick<DiscoveredResource, 'groupVersion' | 'resource' | 'namespaced'>, namespace: string, name: string): string {
  return `${collectionPath(r, r.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}

/**
 * Reads /api and /apis and every served group version. The core and group lists must be readable
 * (else this throws); a group version whose resource list fails is reported in `failures` and left out.
 */
export async function discover(client: RESTClient): Promise<DiscoveryResult> {
  const core = await client.request<{ versions: string[] }>('GET', '/api');
  const groups = await client.request<{ groups: APIGroup[] }>('GET', '/apis');
  const wanted: { group: string; version: string; groupVersion: string; preferred: boolean }[] = [];
  (core.versions ?? []).forEach((v, i) => wanted.push({ group: '', version: v, groupVersion: v, preferred: i === 0 }));
  for (const g of groups.groups ?? []) {
    const preferred = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
    for (const v of g.versions ?? []) wanted.push({ group: g.name, version: v.version, groupVersion: v.groupVersion, preferred: v.groupVersion === preferred });
  }
  const resources: DiscoveredResource[] = [];
  const failures: GroupDiscoveryFailure[] = [];
  await Promise.all(wanted.map(async (w) => {
    try {
      const list = await client.request<APIResourceList>('GET', groupVersionPrefix(w.groupVersion));
      for (const r of list.resources ?? []) {
        if (r.name.includes('/')) continue; // subresources
        resources.push({ ...w, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] });
      }
    } catch (err) {
      failures.push({ groupVersion: w.groupVersion, message: (err as Error).message });
    }
  }));
  // stable order: core first, then by group version and resource
  resources.sort((a, b) => (a.group === '' ? 0 : 1) - (b.group === '' ? 0 : 1) || a.groupVersion.localeCompare(b.groupVersion) || a.resource.localeCompare(b.resource));
  return new DiscoveryResult(resources, failures);
}
