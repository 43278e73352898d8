// Lease-based leader election as client-go's leaderelection package: candidates race to hold a
// coordination.k8s.io/v1 Lease; the holder renews it every retryPeriod and steps down when it cannot
// renew within renewDeadline; others take over once the lease has not been renewed for
// leaseDuration (measured on their own clock from when they last saw the record change, so clock
// skew between candidates does not matter). Writes carry the observed resourceVersion, so two
// candidates racing for an expired lease cannot both win (the loser gets 409 Conflict).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { APIError } from './rest.js';

/** The part of RESTClient leader election needs (a fake in tests). */
export interface LeaseClient {
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
}

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}
interface Lease { metadata: { name: string; namespace: string; resourceVersion?: string }; spec?: LeaseSpec }

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  /** defaults to `<hostname>_<uuid>` as kube-scheduler and kube-controller-manager use */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** give the lease up on stop() so a standby need not wait for it to expire (client-go ReleaseOnCancel) */
  releaseOnCancel?: boolean;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onNewLeader?: (identity: string) => void;
  log?: (msg: string) => void;
  now?: () => number;
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go JitterFactor for the acquire loop */
const JITTER = 1.2;

export const defaultIdentity = (): string => `${hostname()}_${randomUUID()}`;

/** metav1.MicroTime's wire format: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Lease config checks as upstream's NewLeaderElector. */
export function validateLeaderElection(leaseMs: number, renewMs: number, retryMs: number): void {
  if (leaseMs <= renewMs) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewMs <= JITTER * retryMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (leaseMs < 1) throw new Error('leaseDuration must be greater than zero');
  if (renewMs < 1) throw new Error('renewDeadline must be greater than zero');
  if (retryMs < 1) throw new Error('retryPeriod must be greater than zero');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class LeaderElector {
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;
  private readonly log: (m: string) => void;
  private readonly path: string;
  /** the last record seen and when (our clock) it last changed */
  private observed: LeaseSpec | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private observedRV: string | undefined;
  private leading = false;
  private stopped = false;
  private reportedLeader = '';
  private wakeSleep: (() => void) | undefined;

  constructor(private readonly client: LeaseClient, private readonly config: LeaderElectionConfig) {
    this.identity = config.identity ?? defaultIdentity();
    this.leaseMs = config.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewMs = config.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryMs = config.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    validateLeaderElection(this.leaseMs, this.renewMs, this.retryMs);
    if (!this.identity) throw new Error('Lock identity is empty');
    this.now = config.now ?? Date.now;
    this.log = config.log ?? (() => {});
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${config.namespace}/leases`;
  }

  isLeader(): boolean { return this.leading; }
  /** the holder last observed (empty when unknown) */
  getLeader(): string { return this.observed?.holderIdentity ?? ''; }

  /** Runs until stop(): acquire, lead while renewals succeed, then report the loss (client-go Run). */
  async run(): Promise<void> {
    if (!(await this.acquire())) return;
    this.leading = true;
    this.config.onStartedLeading();
    await this.renew();
    this.leading = false;
    if (this.stopped && this.config.releaseOnCancel) await this.release();
    this.config.onStoppedLeading();
  }

  stop(): void {
    this.stopped = true;
    this.wakeSleep?.();
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    await Promise.race([sleep(ms), new Promise<void>((r) => { this.wakeSleep = r; })]);
    this.wakeSleep = undefined;
  }

  private async acquire(): Promise<boolean> {
    this.log(`attempting to acquire leader lease ${this.config.namespace}/${this.config.name}...`);
    while (!this.stopped) {
      if (await this.tryAcquireOrRenew()) {
        this.log(`successfully acquired lease ${this.config.namespace}/${this.config.name}`);
        return true;
      }
      await this.pause(this.retryMs * (1 + Math.random() * JITTER));
    }
    return false;
  }

  /** Renew every retryPeriod; a renewal round that does not succeed within renewDeadline ends leadership. */
  private async renew(): Promise<void> {
    while (!this.stopped) {
      const deadline = this.now() + this.renewMs;
      let ok = false;
      while (!this.stopped && this.now() < deadline) {
        if (await this.tryAcquireOrRenew()) { ok = true; break; }
        await this.pause(Math.min(this.retryMs, Math.max(0, deadline - this.now())));
      }
      if (this.stopped) return;
      if (!ok) { this.log(`failed to renew lease ${this.config.namespace}/${this.config.name}: timed out waiting for the condition`); return; }
      await this.pause(this.retryMs);
    }
  }

  private setObserved(spec: LeaseSpec, rv: string | undefined): void {
    const raw = JSON.stringify([spec.holderIdentity ?? '', spec.leaseDurationSeconds ?? 0, spec.acquireTime ?? '', spec.renewTime ?? '', spec.leaseTransitions ?? 0]);
    if (raw !== this.observedRaw) { this.observedRaw = raw; this.observedTime = this.now(); }
    this.observed = spec;
    this.observedRV = rv;
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.config.onNewLeader?.(holder);
    }
  }

  /** One attempt (client-go tryAcquireOrRenew); true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const mine: LeaseSpec = {
      holderIdentity: this.identity, leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0,
    };
    let current: Lease;
    try {
      current = await this.client.request<Lease>('GET', `${this.path}/${this.config.name}`);
    } catch (err) {
      if (!(err instanceof APIError) || err.code !== 404) { this.log(`error retrieving resource lock ${this.config.namespace}/${this.config.name}: ${(err as Error).message}`); return false; }
      try {
        const created = await this.client.request<Lease>('POST', this.path, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name: this.config.name, namespace: this.config.namespace }, spec: mine,
        });
        this.setObserved(created.spec ?? mine, created.metadata?.resourceVersion);
        return true;
      } catch (e) {
        this.log(`error initially creating leader election record: ${(e as Error).message}`);
        return false;
      }
    }
    const spec = current.spec ?? {};
    this.setObserved(spec, current.metadata.resourceVersion);
    const holder = spec.holderIdentity ?? '';
    const duration = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder && holder !== this.identity && this.observedTime + duration > now) {
      return false; // held by someone else and not expired
    }
    if (holder === this.identity) {
      mine.acquireTime = spec.acquireTime ?? mine.acquireTime;
      mine.leaseTransitions = spec.leaseTransitions ?? 0;
    } else {
      mine.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await this.client.request<Lease>('PUT', `${this.path}/${this.config.name}`, {
        ...current, spec: { ...spec, ...mine },
        metadata: { ...current.metadata, resourceVersion: this.observedRV },
      });
      this.setObserved(updated.spec ?? mine, updated.metadata?.resourceVersion);
      return true;
    } catch (err) {
      // 409: someone else wrote the lease since we read it
      this.log(`failed to update lock ${this.config.namespace}/${this.config.name}: ${(err as Error).message}`);
      return false;
    }
  }

  /** Give the lease up (client-go release): empty holder, 1 s duration, transitions kept. */
  async release(): Promise<boolean> {
    if (!this.observed || this.observed.holderIdentity !== this.identity) return false;
    const now = microTime(this.now());
    try {
      const updated = await this.client.request<Lease>('PUT', `${this.path}/${this.config.name}`, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.config.name, namespace: this.config.namespace, resourceVersion: this.observedRV },
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observed.leaseTransitions ?? 0 },
      });
      this.setObserved(updated.spec ?? {}, updated.metadata?.resourceVersion);
      return true;
    } catch (err) {
      this.log(`failed to release lock: ${(err as Error).message}`);
      return false;
    }
  }
}
