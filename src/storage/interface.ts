// The datastore contract is etcd's (DESIGN.md §2.5): a revisioned key-value store. One global,
// strictly increasing revision is bumped by every write; it is the resourceVersion users see.
// SQLite (embedded default), etcd (HA) and memory (unit tests) implement this one interface and
// pass one contract test suite (src/storage/contract.ts).

export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** revision at which the key was (last) created */
  createRevision: number;
  /** revision of the last write to the key */
  modRevision: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** for PUT: the new value; for DELETE: key with the value as it was before deletion, modRevision = delete revision */
  kv: KeyValue;
  /** the value before this event, when there was one */
  prevKv?: KeyValue;
}

export interface RangeOptions {
  /** read as of this revision (0 / undefined = current). Older than the compacted revision → CompactedError. */
  revision?: number;
  /** at most this many keys (0 / undefined = all) */
  limit?: number;
  /** only keys >= this key (within the prefix); used for pagination */
  startKey?: string;
  /** count only, no values */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** the revision the read was served at */
  revision: number;
  /** more keys remain after the last one returned */
  more: boolean;
  /** total keys in range at that revision (from startKey) */
  count: number;
}

export interface WriteResult {
  revision: number;
  kv?: KeyValue;
}

/** A transaction-free set of compare-and-swap primitives, as the Kubernetes apiserver uses etcd. */
export interface Backend {
  readonly name: string;
  /** current (latest) revision of the store */
  currentRevision(): Promise<number>;
  /** oldest revision still readable (everything <= compacted revision is gone) */
  compactedRevision(): Promise<number>;

  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  /** all keys starting with prefix, in key order */
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;

  /** fails with KeyExistsError if the key exists */
  create(key: string, value: Uint8Array): Promise<WriteResult>;
  /** fails with RevisionMismatchError unless the key's modRevision equals expected (0 = must not exist → use create) */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult>;
  /** fails with KeyNotFoundError, or RevisionMismatchError when expected is given and differs */
  delete(key: string, expectedModRevision?: number): Promise<WriteResult>;

  /**
   * Events for keys under prefix with revision > fromRevision, in revision order, then live.
   * fromRevision older than the compacted revision → the callback receives a CompactedError once.
   */
  watch(prefix: string, fromRevision: number, onEvents: (events: WatchEvent[]) => void,
    onError: (err: Error) => void): () => void;

  /** drop history at and below revision (latest value of each live key is kept) */
  compact(revision: number): Promise<void>;

  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(public readonly key: string) { super(`key exists: ${key}`); }
}
export class KeyNotFoundError extends Error {
  constructor(public readonly key: string) { super(`key not found: ${key}`); }
}
export class RevisionMismatchError extends Error {
  constructor(public readonly key: string, public readonly actual: number) {
    super(`revision mismatch on ${key}: current modRevision ${actual}`);
  }
}
export class CompactedError extends Error {
  constructor(public readonly requested: number, public readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}
export class FutureRevisionError extends Error {
  constructor(public readonly requested: number, public readonly current: number) {
    super(`required revision ${requested} is a future revision (current ${current})`);
  }
}
