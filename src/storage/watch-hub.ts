// Watch fan-out shared by the backends. A watcher first replays committed history (read in pages
// from the backend, up to the revision current at registration) and then receives live batches
// published after each commit. Live batches that arrive during the replay are held back and
// delivered after it, so a watcher sees every revision > fromRevision exactly once, in order.
// Delivery is always asynchronous (never inside watch() or inside the committing call).

import { CompactedError, type WatchEvent } from './interface.js';
import { hasPrefix, prefixEnd } from './keys.js';

/** What the hub needs from a backend; all synchronous, read from committed state only. */
export interface HistorySource {
  currentRevisionSync(): number;
  compactedRevisionSync(): number;
  /** events under [prefix, end) with afterRev < revision <= uptoRev, in revision order, at most limit */
  readEvents(prefix: string, end: string | undefined, afterRev: number, uptoRev: number, limit: number): WatchEvent[];
}

const REPLAY_PAGE = 1000;

class Watcher {
  readonly end: string | undefined;
  private queue: WatchEvent[][] = [];
  private held: WatchEvent[][] = [];
  private scheduled = false;
  replaying = false;
  closed = false;

  constructor(
    readonly prefix: string,
    /** highest revision already handed to this watcher (or skipped as before fromRevision) */
    public seen: number,
    private readonly onEvents: (events: WatchEvent[]) => void,
    private readonly onError: (err: Error) => void,
    private readonly detach: (w: Watcher) => void,
  ) {
    this.end = prefixEnd(prefix);
  }

  /** a live batch from a commit (all events already have revision > seen at registration) */
  publish(batch: WatchEvent[]): void {
    if (this.closed) return;
    const mine = batch.filter((e) => e.kv.modRevision > this.seen && hasPrefix(e.kv.key, this.prefix, this.end));
    if (mine.length === 0) return;
    if (this.replaying) this.held.push(mine);
    else this.enqueue(mine);
  }

  enqueue(batch: WatchEvent[]): void {
    if (this.closed || batch.length === 0) return;
    this.seen = batch[batch.length - 1].kv.modRevision;
    this.queue.push(batch);
    this.schedule();
  }

  endReplay(): void {
    this.replaying = false;
    const held = this.held;
    this.held = [];
    for (const b of held) this.enqueue(b.filter((e) => e.kv.modRevision > this.seen));
  }

  fail(err: Error): void {
    if (this.closed) return;
    this.close();
    queueMicrotask(() => this.onError(err));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.held = [];
    this.detach(this);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    while (!this.closed && this.queue.length > 0) {
      const batch = this.queue.shift()!;
      try {
        this.onEvents(batch);
      } catch (err) {
        // A consumer that throws has lost events; end its watch rather than continue with a gap.
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly source: HistorySource) {}

  get size(): number { return this.watchers.size; }

  watch(prefix: string, fromRevision: number, onEvents: (events: WatchEvent[]) => void,
    onError: (err: Error) => void): () => void {
    const w = new Watcher(prefix, fromRevision, onEvents, onError, (x) => this.watchers.delete(x));
    this.watchers.add(w);
    const compacted = this.source.compactedRevisionSync();
    if (fromRevision < compacted) {
      w.fail(new CompactedError(fromRevision, compacted));
      return () => w.close();
    }
    const snapshot = this.source.currentRevisionSync();
    if (fromRevision < snapshot) {
      w.replaying = true;
      this.replay(w, snapshot);
    }
    return () => w.close();
  }

  /** deliver one committed batch (revision order) to every interested watcher */
  publish(batch: WatchEvent[]): void {
    if (batch.length === 0) return;
    for (const w of this.watchers) w.publish(batch);
  }

  /** end every watch with err (backend closing) */
  closeAll(err?: Error): void {
    for (const w of [...this.watchers]) {
      if (err) w.fail(err);
      else w.close();
    }
  }

  // Replays history in pages, yielding between pages so a long replay never blocks commits;
  // a compaction that overtakes the replay cursor ends the watch with CompactedError.
  private replay(w: Watcher, snapshot: number): void {
    const step = (): void => {
      if (w.closed) return;
      try {
        const compacted = this.source.compactedRevisionSync();
        if (w.seen < compacted) {
          w.fail(new CompactedError(w.seen, compacted));
          return;
        }
        const page = this.source.readEvents(w.prefix, w.end, w.seen, snapshot, REPLAY_PAGE);
        if (page.length > 0) w.enqueue(page);
        if (page.length < REPLAY_PAGE) {
          // no more history up to the snapshot: everything newer comes from publish()
          w.seen = Math.max(w.seen, snapshot);
          w.endReplay();
          return;
        }
      } catch (err) {
        w.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      setImmediate(step);
    };
    setImmediate(step);
  }
}
