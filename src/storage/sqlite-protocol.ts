// Messages between SqliteBackend (sqlite.ts, main thread) and its writer thread (sqlite-writer.ts).
// Numbers travel in transferred Float64Arrays and values in one transferred buffer per message, so
// a batch costs a few allocations rather than a structured clone of one object per write.

/** op kinds in the batch's nums */
export const OP_CREATE = 0, OP_UPDATE = 1, OP_DELETE = 2;
/** per-op status in the answer's res */
export const OK = 0, KEY_EXISTS = 1, REVISION_MISMATCH = 2, KEY_NOT_FOUND = 3;
/** Float64 slots per op: batch [kind, expected (NaN = none), value length] */
export const OP_STRIDE = 3;
/** answer [status, revision (or actual modRevision on mismatch), createRev, prevRev, prevCreateRev, prev value length] */
export const RES_STRIDE = 6;

export interface WriterInit { path: string; cacheKiB: number; rev: number }

export type ToWriter =
  /** writes in order; values are concatenated in `values` (lengths in nums); base = main's revision */
  | { t: 'batch'; id: number; base: number; keys: string[]; nums: Float64Array; values: ArrayBuffer }
  /** one compaction chunk: drop rows superseded in (from, to] and tombstones there */
  | { t: 'compact'; id: number; from: number; to: number }
  | { t: 'pragma'; id: number; name: string }
  /** test hook: throw inside the transaction when writing this key (null = off) */
  | { t: 'fail'; key: string | null }
  | { t: 'close' };

export type FromWriter =
  /** rev = revision after the batch; prevKv values concatenated in `prev` */
  | { t: 'done'; id: number; rev: number; committed: boolean; res: Float64Array; prev: ArrayBuffer }
  /** the transaction failed and was rolled back (the whole batch, or the compaction chunk) */
  | { t: 'failed'; id: number; message: string; code?: string }
  | { t: 'compacted'; id: number }
  | { t: 'pragma'; id: number; value: unknown };

