// ControllerRefManager (upstream pkg/controller/controller_ref_manager.go): a controller claims the
// objects it should own — keeps owned objects that still match its selector, releases owned ones
// that stopped matching, adopts matching orphans — and never adopts while it is being deleted.
// Adoption re-reads the owner once first: the cache may hold an owner that was deleted or recreated.
import { APIError, type RESTClient } from '../../client/rest.js';
import type { Obj } from '../../client/informer.js';
import type { LabelSelector } from '../../machinery/labels/selector.js';

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean;
}

/** The owner as the manager needs it: apiVersion/kind are given explicitly (LIST items carry none). */
export interface Owner { apiVersion: string; kind: string; metadata: Obj['metadata'] }

const MERGE = 'application/merge-patch+json';

/** The controller reference a controller puts on what it creates (controller and blockOwnerDeletion set). */
export function controllerRef(owner: Owner): OwnerReference {
  return {
    apiVersion: owner.apiVersion, kind: owner.kind, name: String(owner.metadata.name), uid: String(owner.metadata.uid),
    controller: true, blockOwnerDeletion: true,
  };
}

/** metav1.GetControllerOf */
export function getControllerOf(o: Obj): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

/** Ignore errors meaning "the object changed or vanished under us": the next sync sees the truth. */
function ignorable(err: unknown): boolean {
  return err instanceof APIError && (err.code === 404 || err.code === 409 || err.code === 422);
}

export class ControllerRefManager<T extends Obj> {
  private canAdopt: boolean | undefined;

  /**
   * @param objectPath the REST path of one claimed object (for the adopt/release PATCH)
   * @param recheck    re-reads the owner: true when it still exists with the same uid and is not being deleted
   */
  constructor(private readonly client: RESTClient, private readonly owner: Owner, private readonly selector: LabelSelector,
    private readonly objectPath: (o: T) => string, private readonly recheck: () => Promise<boolean>) {}

  /** The objects this owner controls after adoption and release; `filter` drops e.g. inactive pods first. */
  async claim(objects: T[], filter: (o: T) => boolean = () => true): Promise<T[]> {
    const claimed: T[] = [];
    const uid = this.owner.metadata.uid;
    const ownerDeleting = Boolean(this.owner.metadata.deletionTimestamp);
    for (const o of objects) {
      const ref = getControllerOf(o);
      const matches = this.selector.matches(o.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) { if (filter(o)) claimed.push(o); continue; }
        if (ownerDeleting) continue;
        await this.release(o);
        continue;
      }
      if (!matches || ownerDeleting || o.metadata.deletionTimestamp || !filter(o)) continue;
      this.canAdopt ??= await this.recheck();
      if (!this.canAdopt) continue;
      if (await this.adopt(o)) claimed.push(o);
    }
    return claimed;
  }

  private async adopt(o: T): Promise<boolean> {
    const refs = [...(o.metadata.ownerReferences ?? []), controllerRef(this.owner)];
    try {
      await this.client.request('PATCH', this.objectPath(o), { metadata: { ownerReferences: refs, uid: o.metadata.uid } }, MERGE);
      return true;
    } catch (err) {
      if (ignorable(err)) return false;
      throw err;
    }
  }

  private async release(o: T): Promise<void> {
    const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== this.owner.metadata.uid);
    try {
      await this.client.request('PATCH', this.objectPath(o), { metadata: { ownerReferences: refs.length ? refs : null, uid: o.metadata.uid } }, MERGE);
    } catch (err) {
      // gone or changed owner already: nothing left to release
      if (!ignorable(err)) throw err;
    }
  }
}

/** A recheck that GETs the owner at `path` and compares uid and deletion (RecheckDeletionTimestamp). */
export function recheckOwner(client: RESTClient, path: string, uid: string | undefined): () => Promise<boolean> {
  return async () => {
    try {
      const fresh = await client.request<Obj>('GET', path);
      return fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
    } catch { return false; }
  };
}
