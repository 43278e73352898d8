// client-go's event correlation (tools/record/events_cache.go) for the controllers' EventRecorder:
//  - aggregation: more than 10 events in 10 minutes that differ only by message become one event
//    "(combined from similar events): <latest message>";
//  - counting: an event identical to one already written (same source, object, type, reason, message)
//    is a PATCH of count/lastTimestamp/message on that Event instead of a new Event;
//  - spam filter: a token bucket per source+object (burst 25, one more every 5 minutes) drops the rest.
// The sink writes events one at a time, in order, so a repeat always finds the Event it counts on.
import { APIError, type RESTClient } from '../../client/rest.js';

export interface CoreEvent {
  apiVersion?: string; kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; fieldPath?: string; resourceVersion?: string };
  reason: string;
  message: string;
  type: string;
  source: { component?: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent?: string;
  reportingInstance?: string;
  [k: string]: unknown;
}

export interface CorrelatorOptions {
  cacheSize?: number;
  burst?: number;
  /** spam filter refill rate, tokens per second */
  qps?: number;
  maxEvents?: number;
  maxIntervalSeconds?: number;
  now?: () => number;
}

/** A map that forgets its least recently used entries beyond `size` (groupcache/lru). */
class LRU<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.size) this.m.delete(this.m.keys().next().value as string);
  }
}

const io = (e: CoreEvent) => e.involvedObject;
/** getEventKey: source, object (with field path), type, reason and message */
export const eventKey = (e: CoreEvent): string => [e.source.component, e.source.host, io(e).kind, io(e).namespace, io(e).name,
  io(e).fieldPath, io(e).uid, io(e).apiVersion, e.type, e.reason, e.message].map((s) => s ?? '').join('');
/** getSpamKey: source and object */
export const spamKey = (e: CoreEvent): string => [e.source.component, e.source.host, io(e).kind, io(e).namespace, io(e).name,
  io(e).uid, io(e).apiVersion].map((s) => s ?? '').join('');
const aggregateKeys = (e: CoreEvent): [string, string] => [[e.source.component, e.source.host, io(e).kind, io(e).namespace, io(e).name,
  io(e).uid, io(e).apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance].map((s) => s ?? '').join(''), e.message];

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export interface CorrelateResult { event: CoreEvent; patch?: Record<string, unknown>; skip: boolean }

export class EventCorrelator {
  private readonly spam: LRU<{ tokens: number; last: number }>;
  private readonly aggregate: LRU<{ localKeys: Set<string>; last: number }>;
  private readonly logged: LRU<{ count: number; firstTimestamp: string; name: string; resourceVersion?: string }>;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;
  private readonly now: () => number;

  constructor(o: CorrelatorOptions = {}) {
    const size = o.cacheSize ?? 4096;
    this.spam = new LRU(size);
    this.aggregate = new LRU(size);
    this.logged = new LRU(size);
    this.burst = o.burst ?? 25;
    this.qps = o.qps ?? 1 / 300;
    this.maxEvents = o.maxEvents ?? 10;
    this.maxIntervalMs = (o.maxIntervalSeconds ?? 600) * 1000;
    this.now = o.now ?? Date.now;
  }

  /** EventAggregate: the event to write and the key it is counted under */
  private aggregateEvent(e: CoreEvent): [CoreEvent, string] {
    const now = this.now();
    const [aggKey, localKey] = aggregateKeys(e);
    let rec = this.aggregate.get(aggKey);
    if (!rec || now - rec.last > this.maxIntervalMs) rec = { localKeys: new Set(), last: now };
    rec.localKeys.add(localKey);
    rec.last = now;
    this.aggregate.set(aggKey, rec);
    if (rec.localKeys.size < this.maxEvents) return [e, eventKey(e)];
    rec.localKeys.delete(rec.localKeys.values().next().value as string); // do not grow past the max
    const ts = rfc3339(now);
    return [{
      ...e,
      metadata: { name: `${io(e).name}.${(BigInt(now) * 1_000_000n).toString(16)}`, namespace: e.metadata.namespace },
      count: 1, firstTimestamp: ts, lastTimestamp: ts, message: `(combined from similar events): ${e.message}`,
    }, aggKey];
  }

  /** eventObserve: a repeat takes the first occurrence's name, count+1 and a patch */
  private observe(e: CoreEvent, key: string): { event: CoreEvent; patch?: Record<string, unknown> } {
    const last = this.logged.get(key);
    let event = e;
    let patch: Record<string, unknown> | undefined;
    if (last && last.count > 0) {
      event = { ...e, metadata: { ...e.metadata, name: last.name, resourceVersion: last.resourceVersion }, firstTimestamp: last.firstTimestamp, count: last.count + 1 };
      patch = { count: event.count, lastTimestamp: event.lastTimestamp, message: event.message };
    }
    this.logged.set(key, { count: event.count, firstTimestamp: event.firstTimestamp, name: event.metadata.name, resourceVersion: event.metadata.resourceVersion });
    return { event, patch };
  }

  /** EventSourceObjectSpamFilter.Filter: true when the event must be dropped */
  private filter(e: CoreEvent): boolean {
    const now = this.now();
    const k = spamKey(e);
    const rec = this.spam.get(k) ?? { tokens: this.burst, last: now };
    rec.tokens = Math.min(this.burst, rec.tokens + ((now - rec.last) / 1000) * this.qps);
    rec.last = now;
    const drop = rec.tokens < 1;
    if (!drop) rec.tokens -= 1;
    this.spam.set(k, rec);
    return drop;
  }

  correlate(e: CoreEvent): CorrelateResult {
    const [agg, key] = this.aggregateEvent(e);
    const { event, patch } = this.observe(agg, key);
    return { event, patch, skip: this.filter(event) };
  }

  /** the server's copy (name, resourceVersion, count) after a write */
  updateState(e: CoreEvent): void {
    this.logged.set(eventKey(e), { count: e.count, firstTimestamp: e.firstTimestamp, name: e.metadata.name, resourceVersion: e.metadata.resourceVersion });
  }
}

/** Writes correlated events in order: POST new ones, PATCH repeats (re-created when the Event is gone). */
export class EventSink {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly client: RESTClient, readonly correlator = new EventCorrelator(),
    private readonly log: (m: string) => void = () => {}) {}

  record(e: CoreEvent): void {
    this.chain = this.chain.then(() => this.write(e)).catch((err: Error) =>
      this.log(`recording event ${e.reason} for ${e.metadata.namespace}/${e.involvedObject.name}: ${err.message}`));
  }

  /** resolves once every event recorded so far has been written (or dropped) */
  flush(): Promise<void> { return this.chain; }

  private async write(e: CoreEvent): Promise<void> {
    const r = this.correlator.correlate(e);
    if (r.skip) return;
    const ev = r.event;
    const base = `/api/v1/namespaces/${encodeURIComponent(ev.metadata.namespace)}/events`;
    let out: CoreEvent | undefined;
    if (ev.count > 1 && r.patch) {
      try {
        out = await this.client.request<CoreEvent>('PATCH', `${base}/${encodeURIComponent(ev.metadata.name)}`, r.patch, 'application/strategic-merge-patch+json');
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
      }
    }
    if (!out) {
      const { resourceVersion: _rv, ...metadata } = ev.metadata;
      out = await this.client.request<CoreEvent>('POST', base, { ...ev, metadata });
    }
    if (out?.metadata) this.correlator.updateState(out);
  }
}

const sinks = new WeakMap<RESTClient, EventSink>();

/** One sink per client, shared by every recorder over it (client-go: one broadcaster per process). */
export function eventSinkFor(client: RESTClient, log?: (m: string) => void): EventSink {
  let s = sinks.get(client);
  if (!s) sinks.set(client, (s = new EventSink(client, new EventCorrelator(), log)));
  return s;
}
