// The garbage collector's dependency graph (upstream GraphBuilder + uidToNode): one small node per
// object seen through the monitors, keyed by uid, linking owners to dependents. Only what the
// collector needs is kept (identity, owner references, two deletion flags) so that 150k pods cost
// little. Events are applied synchronously — the event loop serialises them as upstream's single
// graph goroutine does — and the work they imply is handed to the attemptToDelete/attemptToOrphan
// callbacks.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Metadata of an observed object: what a PartialObjectMetadata carries that the graph uses. */
export interface ObjectMetadata {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    deletionTimestamp?: string;
  };
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';

export class GraphNode {
  /** dependents, created on first use (most objects have none) */
  dependents?: Set<GraphNode>;
  /** true while only known from a dependent's owner reference, not observed by a monitor */
  virtual = false;
  beingDeleted = false;
  /** has a deletionTimestamp and the foregroundDeletion finalizer */
  deletingDependents = false;

  constructor(
    readonly uid: string,
    public apiVersion: string,
    public kind: string,
    public name: string,
    /** '' for cluster-scoped objects (for a virtual node: the namespace of the dependent that named it) */
    public namespace: string,
    public owners: OwnerReference[] = [],
  ) {}

  dependentList(): GraphNode[] { return this.dependents ? [...this.dependents] : []; }

  /** Dependents whose reference to this node has blockOwnerDeletion (upstream blockingDependents). */
  blockingDependents(): GraphNode[] {
    return this.dependentList().filter((d) => d.owners.some((r) => r.uid === this.uid && r.blockOwnerDeletion === true));
  }

  toString(): string {
    return `${this.apiVersion}/${this.kind}, namespace: ${this.namespace}, name: ${this.name}, uid: ${this.uid}`;
  }
}

export interface GraphCallbacks {
  attemptToDelete(node: GraphNode): void;
  attemptToOrphan(node: GraphNode): void;
}

function hasFinalizer(o: ObjectMetadata, f: string): boolean { return (o.metadata.finalizers ?? []).includes(f); }
function beingDeleted(o: ObjectMetadata): boolean { return !!o.metadata.deletionTimestamp; }

/** deletionTimestamp set and `finalizer` present now, and not both before (upstream startsWaitingForDependents*). */
function startsWaiting(old: ObjectMetadata | undefined, cur: ObjectMetadata, finalizer: string): boolean {
  if (!beingDeleted(cur) || !hasFinalizer(cur, finalizer)) return false;
  return !old || !beingDeleted(old) || !hasFinalizer(old, finalizer);
}

/** Slim copies: only the fields the collector reads (objects from informers carry much more). */
function slimRefs(refs: OwnerReference[] | undefined): OwnerReference[] {
  return (refs ?? []).map((r) => {
    const s: OwnerReference = { apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid };
    if (r.controller !== undefined) s.controller = r.controller;
    if (r.blockOwnerDeletion !== undefined) s.blockOwnerDeletion = r.blockOwnerDeletion;
    return s;
  });
}

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();
  /**
   * Owners known not to exist (upstream absentOwnerCache), keyed by absentKey(namespace, uid): a
   * lookup that found another object under the name only proves absence in that namespace.
   */
  private readonly absent = new Set<string>();
  private readonly absentOrder: string[] = [];

  constructor(private readonly cb: GraphCallbacks, private readonly absentCacheSize = 500) {}

  get(uid: string): GraphNode | undefined { return this.nodes.get(uid); }
  get size(): number { return this.nodes.size; }
  nodesList(): GraphNode[] { return [...this.nodes.values()]; }

  isAbsent(namespace: string, uid: string): boolean { return this.absent.has(absentKey(namespace, uid)); }
  markAbsent(namespace: string, uid: string): void {
    const k = absentKey(namespace, uid);
    if (this.absent.has(k)) return;
    this.absent.add(k);
    this.absentOrder.push(k);
    // an LRU in upstream; a FIFO of the same size is enough to bound it
    while (this.absentOrder.length > this.absentCacheSize) this.absent.delete(this.absentOrder.shift()!);
  }

  /** An add or update seen by a monitor. `old` is the previous state when the monitor knows it. */
  observe(obj: ObjectMetadata, old?: ObjectMetadata): void {
    const m = obj.metadata;
    if (!m.uid) return;
    let node = this.nodes.get(m.uid);
    const refs = slimRefs(m.ownerReferences);
    if (!node) {
      node = new GraphNode(m.uid, obj.apiVersion, obj.kind, m.name ?? '', m.namespace ?? '', refs);
      this.nodes.set(m.uid, node);
      this.linkToOwners(node, refs);
      old = undefined;
    } else {
      if (node.virtual) {
        // first sight of an owner named by dependents: now its coordinates are known for sure
        node.virtual = false;
        old = undefined;
      }
      node.apiVersion = obj.apiVersion;
      node.kind = obj.kind;
      node.name = m.name ?? node.name;
      node.namespace = m.namespace ?? '';
      this.updateOwners(node, refs);
    }
    node.beingDeleted = beingDeleted(obj);
    if (node.beingDeleted && hasFinalizer(obj, FINALIZER_DELETE_DEPENDENTS)) node.deletingDependents = true;
    else if (!hasFinalizer(obj, FINALIZER_DELETE_DEPENDENTS)) node.deletingDependents = false;
    this.processTransitions(old, obj, node);
  }

  /** A deletion seen by a monitor. */
  remove(obj: ObjectMetadata): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const node = this.nodes.get(uid);
    this.markAbsent(obj.metadata.namespace ?? '', uid);
    if (!node) return;
    this.removeNode(node);
  }

  /**
   * attemptToDelete found that a node's object does not exist (upstream's virtual delete event):
   * drop the node if no monitor has observed it and let its dependents be re-evaluated. `namespace`
   * is where it was looked up ('' for cluster-scoped kinds).
   */
  virtualDelete(node: GraphNode, namespace: string): void {
    this.markAbsent(namespace, node.uid);
    if (this.nodes.get(node.uid) !== node) return;
    if (node.virtual) this.removeNode(node);
    else for (const d of node.dependentList()) this.cb.attemptToDelete(d);
  }

  private removeNode(node: GraphNode): void {
    this.nodes.delete(node.uid);
    for (const r of node.owners) {
      const owner = this.nodes.get(r.uid);
      if (!owner) continue;
      owner.dependents?.delete(node);
      if (owner.dependents?.size === 0) owner.dependents = undefined;
      // an owner waiting for its dependents may be done now
      if (owner.deletingDependents) this.cb.attemptToDelete(owner);
    }
    // dependents lost an owner: they may be garbage now
    for (const d of node.dependentList()) this.cb.attemptToDelete(d);
  }

  private linkToOwners(node: GraphNode, refs: OwnerReference[]): void {
    for (const r of refs) {
      let owner = this.nodes.get(r.uid);
      if (!owner) {
        // known only from this reference: a virtual node, verified by a live lookup in attemptToDelete
        owner = new GraphNode(r.uid, r.apiVersion, r.kind, r.name, node.namespace);
        owner.virtual = true;
        this.nodes.set(r.uid, owner);
        this.cb.attemptToDelete(owner);
      }
      (owner.dependents ??= new Set()).add(node);
    }
  }

  private updateOwners(node: GraphNode, refs: OwnerReference[]): void {
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(refs.map((r) => [r.uid, r]));
    const added = refs.filter((r) => !before.has(r.uid));
    const removed = node.owners.filter((r) => !after.has(r.uid));
    const changed = refs.filter((r) => before.has(r.uid) && !sameRef(before.get(r.uid)!, r));
    if (added.length === 0 && removed.length === 0 && changed.length === 0) return;
    node.owners = refs;
    // owners waiting on a blocking dependent that stopped blocking can go on (addUnblockedOwnersToDeleteQueue)
    for (const r of removed) {
      if (r.blockOwnerDeletion !== true) continue;
      const owner = this.nodes.get(r.uid);
      if (owner?.deletingDependents) this.cb.attemptToDelete(owner);
    }
    for (const r of changed) {
      const was = before.get(r.uid)!;
      if (was.blockOwnerDeletion === true && r.blockOwnerDeletion !== true) {
        const owner = this.nodes.get(r.uid);
        if (owner?.deletingDependents) this.cb.attemptToDelete(owner);
      }
    }
    for (const r of removed) {
      const owner = this.nodes.get(r.uid);
      owner?.dependents?.delete(node);
      if (owner?.dependents?.size === 0) owner.dependents = undefined;
    }
    this.linkToOwners(node, added);
  }

  private processTransitions(old: ObjectMetadata | undefined, cur: ObjectMetadata, node: GraphNode): void {
    if (startsWaiting(old, cur, FINALIZER_ORPHAN)) {
      this.cb.attemptToOrphan(node);
      return;
    }
    if (startsWaiting(old, cur, FINALIZER_DELETE_DEPENDENTS)) {
      node.deletingDependents = true;
      for (const d of node.dependentList()) this.cb.attemptToDelete(d);
      this.cb.attemptToDelete(node);
    }
  }
}

/** Key of the absent-owner cache: namespace ('' when cluster-scoped) and uid. */
export function absentKey(namespace: string, uid: string): string { return `${namespace}|${uid}`; }

function sameRef(a: OwnerReference, b: OwnerReference): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name
    && (a.controller ?? false) === (b.controller ?? false) && (a.blockOwnerDeletion ?? false) === (b.blockOwnerDeletion ?? false);
}
