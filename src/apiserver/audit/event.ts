// audit.k8s.io/v1 Event: the fields upstream records, serialized in upstream's field order.
import { isIP } from 'node:net';
import type { UserInfo } from '../http/types.js';
import type { RequestInfo } from '../requestinfo.js';
import type { Level, Stage } from './policy.js';

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** the bounded Status fields upstream copies into responseStatus */
export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code?: number;
}

export interface AuditUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditEvent {
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  /** JSON text, already trimmed to what the level allows */
  requestObject?: string;
  responseObject?: string;
  requestReceivedTimestamp: Date;
  stageTimestamp: Date;
  annotations?: Record<string, string>;
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits, UTC. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function auditUser(u: UserInfo): AuditUser {
  const out: AuditUser = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups?.length) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

/** upstream ObjectReference from RequestInfo (resource requests only) */
export function objectRefOf(info: RequestInfo): ObjectReference | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: ObjectReference = {};
  if (info.resource) ref.resource = info.resource;
  if (info.namespace) ref.namespace = info.namespace;
  if (info.name) ref.name = info.name;
  if (info.apiGroup) ref.apiGroup = info.apiGroup;
  if (info.apiVersion) ref.apiVersion = info.apiVersion;
  if (info.subresource) ref.subresource = info.subresource;
  return ref;
}

/** Go's net.IP printing: IPv4-mapped IPv6 addresses print as IPv4. */
function normalizeIP(s: string): string | undefined {
  let v = s.trim();
  if (v.startsWith('[') && v.includes(']')) v = v.slice(1, v.indexOf(']'));
  if (!isIP(v)) return undefined;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
  return m ? m[1] : v.toLowerCase();
}

/**
 * upstream utilnet.SourceIPs: the X-Forwarded-For chain, then X-Real-Ip unless already in it,
 * then the connection's address unless it is the chain's last entry.
 */
export function sourceIPs(headers: Record<string, string | string[] | undefined>, remote: string | undefined): string[] {
  const ips: string[] = [];
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);
  const xff = first(headers['x-forwarded-for']);
  if (xff) for (const part of xff.split(',')) { const ip = normalizeIP(part); if (ip) ips.push(ip); }
  const real = first(headers['x-real-ip']);
  if (real) { const ip = normalizeIP(real); if (ip && !ips.includes(ip)) ips.push(ip); }
  const r = remote ? normalizeIP(remote) : undefined;
  if (r && (ips.length === 0 || ips[ips.length - 1] !== r)) ips.push(r);
  return ips;
}

/** A copy without metadata.managedFields (also inside list items), as omitManagedFields asks. */
export function withoutManagedFields(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const o = obj as Record<string, unknown>;
  let out = o;
  const meta = o.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object' && 'managedFields' in meta) {
    const { managedFields: _drop, ...rest } = meta;
    out = { ...o, metadata: rest };
  }
  if (Array.isArray(o.items)) out = { ...out, items: o.items.map(withoutManagedFields) };
  return out;
}

const REF_FIELDS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;

/** the reference with upstream's field order, whatever order it was completed in */
function orderedRef(r: ObjectReference): ObjectReference {
  const out: ObjectReference = {};
  for (const k of REF_FIELDS) if (r[k]) out[k] = r[k];
  return out;
}

/** One JSON line (no newline) in upstream's field order; object fields are embedded as given. */
export function serializeEvent(e: AuditEvent): string {
  const parts: string[] = ['"kind":"Event"', '"apiVersion":"audit.k8s.io/v1"'];
  const add = (k: string, v: unknown) => { if (v !== undefined) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`); };
  add('level', e.level);
  add('auditID', e.auditID);
  add('stage', e.stage);
  add('requestURI', e.requestURI);
  add('verb', e.verb);
  add('user', e.user);
  add('impersonatedUser', e.impersonatedUser);
  if (e.sourceIPs?.length) add('sourceIPs', e.sourceIPs);
  if (e.userAgent) add('userAgent', e.userAgent);
  add('objectRef', e.objectRef && orderedRef(e.objectRef));
  add('responseStatus', e.responseStatus);
  if (e.requestObject !== undefined) parts.push(`"requestObject":${e.requestObject}`);
  if (e.responseObject !== undefined) parts.push(`"responseObject":${e.responseObject}`);
  add('requestReceivedTimestamp', microTime(e.requestReceivedTimestamp));
  add('stageTimestamp', microTime(e.stageTimestamp));
  if (e.annotations && Object.keys(e.annotations).length) add('annotations', e.annotations);
  return `{${parts.join(',')}}`;
}
