// ControllerRevision history (upstream pkg/controller/history): the immutable snapshots of a
// workload's template that StatefulSets and DaemonSets keep so they can tell current from updated
// pods and so `kubectl rollout history/undo` can go back. Revisions are owned by their workload
// through a controller reference, named `<owner>-<hash>`, numbered by `.revision`.
import { APIError, type RESTClient } from '../../client/rest.js';
import type { Indexer, Obj } from '../../client/informer.js';
import type { LabelSelector } from '../../machinery/labels/selector.js';
import { controllerRef, getControllerOf, type Owner } from '../common/controllerref.js';
import { canonicalJSON, controllerRevisionName, hashControllerRevision } from './hash.js';

/** apps.ControllerRevisionHashLabelKey: on pods, the revision (StatefulSet: its name; DaemonSet: its hash). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** history.ControllerRevisionHashLabel: on each ControllerRevision, the hash of its data. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export const CONTROLLER_REVISIONS_PATH = '/apis/apps/v1/controllerrevisions';

export type ControllerRevision = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { creationTimestamp?: string; annotations?: Record<string, string> };
  data?: unknown;
  revision: number;
};

const MERGE = 'application/merge-patch+json';
const revPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/controllerrevisions/${name}`;

/**
 * NewControllerRevision: labels are the template's plus the data hash, the owner is `parent` as
 * controller, the name `<parent>-<hash(data, collisionCount)>`. Not yet created.
 */
export function newControllerRevision(parent: Owner, templateLabels: Record<string, string> | undefined,
  data: unknown, revision: number, collisionCount?: number): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(String(parent.metadata.name), hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerRef(parent)],
    },
    data, revision,
  };
}

const time = (s: string | undefined) => (s ? Date.parse(s) || 0 : 0);

/** SortControllerRevisions: ascending by .revision, ties by creation time, then name. Returns a new array. */
export function sortControllerRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => (a.revision - b.revision)
    || (time(a.metadata.creationTimestamp) - time(b.metadata.creationTimestamp))
    || String(a.metadata.name).localeCompare(String(b.metadata.name)));
}

/** EqualRevision: differing hash labels say no at once; otherwise the data must be the same. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[REVISION_HASH_LABEL], hb = b.metadata.labels?.[REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return canonicalJSON(a.data) === canonicalJSON(b.data);
}

/** FindEqualRevisions: every revision equal to `needle`, in the given order. */
export function findEqualRevisions(revs: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revs.filter((r) => equalRevision(r, needle));
}

/** nextRevision: one past the highest .revision (1 for an empty history). */
export function nextRevision(revs: ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * The revisions truncateHistory deletes: of the revisions not in `live` (names of the current and
 * update revisions and of every revision a pod still runs), the oldest beyond `limit`.
 */
export function revisionsToTruncate(revs: ControllerRevision[], live: Set<string>, limit: number): ControllerRevision[] {
  const history = sortControllerRevisions(revs).filter((r) => !live.has(String(r.metadata.name)));
  const excess = history.length - Math.max(0, limit);
  return excess > 0 ? history.slice(0, excess) : [];
}

/** The API side of history: reads from an informer's store, writes through the client. */
export class History {
  constructor(private readonly client: RESTClient, private readonly store: Indexer<ControllerRevision>) {}

  /** ListControllerRevisions: revisions in the parent's namespace matching `selector`, owned by it or by no controller. */
  list(parent: Owner, selector: LabelSelector): ControllerRevision[] {
    return this.store.byIndex('namespace', parent.metadata.namespace ?? '').filter((r) => {
      if (!selector.matches(r.metadata.labels)) return false;
      const ref = getControllerOf(r);
      return !ref || ref.uid === parent.metadata.uid;
    });
  }

  /**
   * CreateControllerRevision: creates `revision` under the name for (data, collisionCount). An
   * existing revision of that name with the same data is returned as is; one with other data is a
   * hash collision: collisionCount goes up and the name is computed again. The caller stores the
   * returned collisionCount in the owner's status.
   */
  async create(parent: Owner, revision: ControllerRevision, collisionCount: number):
    Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const ns = String(parent.metadata.namespace ?? '');
    for (let attempt = 0; attempt < 100; attempt++) {
      const hash = hashControllerRevision(revision.data, collisionCount);
      const body: ControllerRevision = {
        ...revision, apiVersion: 'apps/v1', kind: 'ControllerRevision',
        metadata: { ...revision.metadata, namespace: ns, name: controllerRevisionName(String(parent.metadata.name), hash) },
      };
      try {
        const created = await this.client.request<ControllerRevision>('POST', `/apis/apps/v1/namespaces/${ns}/controllerrevisions`, body);
        return { revision: created, collisionCount };
      } catch (err) {
        if (!(err instanceof APIError) || err.code !== 409) throw err;
        const exists = await this.client.request<ControllerRevision>('GET', revPath(ns, String(body.metadata.name)));
        if (canonicalJSON(exists.data) === canonicalJSON(revision.data)) return { revision: exists, collisionCount };
        collisionCount++;
      }
    }
    throw new Error(`could not find a free name for a ControllerRevision of ${ns}/${parent.metadata.name}`);
  }

  /** UpdateControllerRevision: sets .revision (a re-used old revision becomes the newest), retrying a conflict. */
  async updateRevision(rev: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    if (rev.revision === newRevision) return rev;
    const ns = String(rev.metadata.namespace ?? '');
    let cur = rev;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.request<ControllerRevision>('PUT', revPath(ns, String(cur.metadata.name)),
          { ...cur, apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: newRevision });
      } catch (err) {
        if (!(err instanceof APIError) || err.code !== 409 || attempt >= 4) throw err;
        cur = await this.client.request<ControllerRevision>('GET', revPath(ns, String(cur.metadata.name)));
        if (cur.revision === newRevision) return cur;
      }
    }
  }

  /** DeleteControllerRevision; an already deleted revision is fine. */
  async delete(rev: ControllerRevision): Promise<void> {
    try {
      await this.client.request('DELETE', revPath(String(rev.metadata.namespace ?? ''), String(rev.metadata.name)));
    } catch (err) {
      if (!(err instanceof APIError) || err.code !== 404) throw err;
    }
  }

  /** AdoptControllerRevision: refuses a revision another controller owns. */
  async adopt(parent: Owner, rev: ControllerRevision): Promise<ControllerRevision> {
    const owner = getControllerOf(rev);
    if (owner) throw new Error(`attempt to adopt revision owned by ${owner.kind}/${owner.name} (${owner.uid})`);
    const refs = [...(rev.metadata.ownerReferences ?? []), controllerRef(parent)];
    return this.client.request<ControllerRevision>('PATCH', revPath(String(rev.metadata.namespace ?? ''), String(rev.metadata.name)),
      { metadata: { ownerReferences: refs, uid: rev.metadata.uid } }, MERGE);
  }

  /** ReleaseControllerRevision: drops the parent's reference; gone or no longer owned is not an error. */
  async release(parent: Owner, rev: ControllerRevision): Promise<ControllerRevision | undefined> {
    const refs = (rev.metadata.ownerReferences ?? []).filter((r) => r.uid !== parent.metadata.uid);
    try {
      return await this.client.request<ControllerRevision>('PATCH', revPath(String(rev.metadata.namespace ?? ''), String(rev.metadata.name)),
        { metadata: { ownerReferences: refs.length ? refs : null, uid: rev.metadata.uid } }, MERGE);
    } catch (err) {
      if (err instanceof APIError && (err.code === 404 || err.code === 422 || err.code === 409)) return undefined;
      throw err;
    }
  }
}
