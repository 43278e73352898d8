// Audit: --audit-policy-file and --audit-log-path as upstream (k8s.io/apiserver/pkg/endpoints/filters/audit.go).
// Every request gets an audit ID (echoed in the Audit-ID header). The policy decides its level; at
// None nothing is logged. Otherwise RequestReceived is logged when the request arrives,
// ResponseStarted when a long-running request (watch, proxy, exec, attach, log, portforward)
// sends its headers, and ResponseComplete when the response ends — each unless omitted.
import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../chain.js';
import type { RequestInfo } from '../requestinfo.js';
import type { Req, Res, UserInfo } from '../http/types.js';
import { levelAtLeast, loadPolicyFile, policyEvaluator, type RequestAuditConfig, type Stage } from './policy.js';
import { auditUser, objectRefOf, serializeEvent, sourceIPs, withoutManagedFields, type AuditEvent, type ResponseStatus } from './event.js';
import { openLogWriter, type LineWriter } from './writer.js';

export { parsePolicy, loadPolicyFile, policyEvaluator, ruleMatches } from './policy.js';
export type { Policy, PolicyRule, Level, Stage, RequestAuditConfig } from './policy.js';

export interface AuditOptions {
  policyFile?: string;
  logPath?: string;
  maxSizeMB?: number;
  maxBackups?: number;
  maxAgeDays?: number;
}

export interface AuditRequest {
  info: RequestInfo;
  user: UserInfo;
  method: string;
  uri: string;
  sourceIPs: string[];
  userAgent?: string;
  /** when given: the Audit-ID header is honoured and echoed, source IPs follow X-Forwarded-For */
  req?: Req;
  /** when given: headers and the response body (for Status and RequestResponse) are observed */
  res?: Res;
}

export interface AuditRecordHandle extends AuditRecord {
  readonly auditID: string;
  /** upstream audit annotations, e.g. authorization.k8s.io/decision */
  annotate(key: string, value: string): void;
  /** the user the request acts as after impersonation (`user` stays the one who authenticated) */
  setImpersonatedUser(u: UserInfo): void;
  end(code: number): void;
}

export interface Auditor {
  begin(r: AuditRequest): AuditRecordHandle;
  close(): Promise<void>;
}

const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
/** Status bodies are small; larger responses are never parsed for one */
const STATUS_SNIFF_LIMIT = 64 * 1024;

/** upstream BasicLongRunningRequestCheck */
export function isLongRunning(info: RequestInfo): boolean {
  if (LONG_RUNNING_VERBS.has(info.verb)) return true;
  return info.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(info.subresource);
}

export async function buildAuditor(opts: AuditOptions): Promise<Auditor | undefined> {
  for (const [flag, v] of [['audit-log-maxage', opts.maxAgeDays], ['audit-log-maxbackup', opts.maxBackups], ['audit-log-maxsize', opts.maxSizeMB]] as const) {
    if (v !== undefined && (Number.isNaN(v) || v < 0)) throw new Error(`--${flag} ${v} can't be a negative number`);
  }
  // as upstream, a policy file is read (and rejected if bad) even when no backend would use it
  const policy = opts.policyFile ? await loadPolicyFile(opts.policyFile) : undefined;
  if (!policy || !opts.logPath) {
    if (opts.logPath) console.log('audit: no audit policy file provided, no events will be recorded for the log backend');
    return undefined;
  }
  const writer = openLogWriter(opts.logPath, {
    maxSizeBytes: (opts.maxSizeMB ?? 0) * 1024 * 1024, maxBackups: opts.maxBackups, maxAgeDays: opts.maxAgeDays,
  });
  return createAuditor(policyEvaluator(policy), writer);
}

/** The auditor over an evaluated policy and a line writer (exported for tests). */
export function createAuditor(evaluate: ReturnType<typeof policyEvaluator>, writer: LineWriter): Auditor {
  return {
    begin: (r) => beginRecord(r, evaluate({ ...r.info, user: r.user }), writer),
    close: () => writer.close(),
  };
}

function headerValue(req: Req | undefined, name: string): string | undefined {
  const v = req?.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function beginRecord(r: AuditRequest, cfg: RequestAuditConfig, writer: LineWriter): AuditRecordHandle {
  const auditID = headerValue(r.req, 'audit-id') || randomUUID();
  if (r.res && !r.res.headersSent) r.res.setHeader('Audit-ID', auditID);
  if (cfg.level === 'None') {
    return { auditID, setRequestObject() {}, setResponseObject() {}, annotate() {}, setImpersonatedUser() {}, end() {} };
  }
  const level = cfg.level;
  const longRunning = isLongRunning(r.info);
  const ev: AuditEvent = {
    level, auditID, stage: 'RequestReceived', requestURI: r.uri, verb: r.info.verb, user: auditUser(r.user),
    sourceIPs: sourceIPs(r.req?.headers ?? {}, r.sourceIPs[0]),
    userAgent: r.userAgent, objectRef: objectRefOf(r.info),
    requestReceivedTimestamp: new Date(), stageTimestamp: new Date(),
  };
  let responseObj: unknown;
  let haveResponseObj = false;
  let started = false;
  let done = false;

  const emit = (stage: Stage) => {
    if (cfg.omitStages.has(stage)) return;
    ev.stage = stage;
    ev.stageTimestamp = stage === 'RequestReceived' ? ev.requestReceivedTimestamp : new Date();
    writer.write(serializeEvent(ev));
  };
  const setCode = (code: number) => {
    ev.responseStatus = ev.responseStatus ?? { metadata: {} };
    ev.responseStatus.code = code;
  };
  const encode = (obj: unknown) => JSON.stringify(cfg.omitManagedFields ? withoutManagedFields(obj) : obj);

  emit('RequestReceived');

  const record: AuditRecordHandle = {
    auditID,
    setRequestObject(obj: unknown) {
      // upstream completes the object reference from the decoded object (a create names it there)
      const meta = (obj as { metadata?: Record<string, unknown> } | undefined)?.metadata;
      if (meta && typeof meta === 'object') {
        const ref = (ev.objectRef = ev.objectRef ?? {});
        if (!ref.namespace && typeof meta.namespace === 'string' && meta.namespace) ref.namespace = meta.namespace;
        if (!ref.name && typeof meta.name === 'string' && meta.name) ref.name = meta.name;
        if (!ref.uid && typeof meta.uid === 'string' && meta.uid) ref.uid = meta.uid;
        if (!ref.resourceVersion && typeof meta.resourceVersion === 'string' && meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
      }
      // encoded now: admission and defaulting may change the object afterwards
      if (levelAtLeast(level, 'Request')) ev.requestObject = encode(obj);
    },
    setResponseObject(obj: unknown) {
      if (!levelAtLeast(level, 'RequestResponse')) return;
      responseObj = obj;
      haveResponseObj = true;
    },
    annotate(key: string, value: string) {
      (ev.annotations = ev.annotations ?? {})[key] = value;
    },
    setImpersonatedUser(u: UserInfo) {
      ev.impersonatedUser = auditUser(u);
    },
    end(code: number) {
      if (done) return;
      done = true;
      if (longRunning && !started) {
        // nothing was sent: upstream fakes a started response before completing
        started = true;
        if (!ev.responseStatus) ev.responseStatus = { metadata: {}, status: 'Success', message: 'Connection closed early', code: 200 };
        emit('ResponseStarted');
      }
      setCode(ev.responseStatus?.code && longRunning ? ev.responseStatus.code : code);
      if (haveResponseObj) ev.responseObject = encode(responseObj);
      emit('ResponseComplete');
    },
  };

  if (r.res) observeResponse(r.res, {
    level, longRunning,
    onStart: (code) => {
      if (started) return;
      started = true;
      setCode(code);
      if (longRunning) emit('ResponseStarted');
    },
    onBody: (status, body) => {
      if (status) ev.responseStatus = { ...status, code: ev.responseStatus?.code ?? status.code };
      if (body !== undefined && !haveResponseObj) { responseObj = body; haveResponseObj = true; }
    },
  });
  return record;
}

interface Observer {
  level: RequestAuditConfig['level'];
  longRunning: boolean;
  onStart(code: number): void;
  /** a Status answered (for responseStatus) and/or the decoded body (RequestResponse only) */
  onBody(status: ResponseStatus | undefined, body: unknown): void;
}

/**
 * Watches one response: its headers (the status code, ResponseStarted for long-running requests)
 * and, for requests that are not long-running, the JSON body when it is a Status or the level
 * records response bodies.
 */
function observeResponse(res: Res, o: Observer): void {
  const wantBody = levelAtLeast(o.level, 'RequestResponse');
  const r = res as unknown as Record<string, (...a: unknown[]) => unknown>;
  let contentType = '';
  const writeHead = r.writeHead;
  r.writeHead = function (this: unknown, code: unknown, ...rest: unknown[]) {
    // Node's HTTP/1 response does not always keep headers given here where getHeader sees them
    const headers = rest.find((x) => x && typeof x === 'object') as Record<string, unknown> | undefined;
    if (headers) for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'content-type') contentType = String(v);
    o.onStart(Number(code));
    return writeHead.call(this, code, ...rest);
  };
  if (o.longRunning) {
    const write = r.write;
    r.write = function (this: unknown, ...a: unknown[]) {
      o.onStart(res.statusCode);
      return write.apply(this, a);
    };
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  const keep = (c: unknown) => {
    if (overflow || c === undefined || c === null || typeof c === 'function') return;
    if (!wantBody && chunks.length === 0) {
      // below RequestResponse only a Status is wanted: decide on the first bytes, copy nothing else
      const head = typeof c === 'string' ? c.slice(0, 48) : c instanceof Uint8Array ? Buffer.from(c.subarray(0, 48)).toString('utf8') : '';
      if (!looksLikeStatus(head)) { overflow = true; return; }
    }
    const b = Buffer.isBuffer(c) ? c : typeof c === 'string' ? Buffer.from(c) : c instanceof Uint8Array ? Buffer.from(c) : undefined;
    if (!b) return;
    size += b.length;
    if (!wantBody && size > STATUS_SNIFF_LIMIT) { overflow = true; chunks.length = 0; return; }
    chunks.push(b);
  };
  // HTTP/2's compatibility end() calls this.write() with the last chunk: count it once
  let inEnd = false;
  const write = r.write;
  r.write = function (this: unknown, ...a: unknown[]) {
    if (!inEnd) keep(a[0]);
    return write.apply(this, a);
  };
  const end = r.end;
  r.end = function (this: unknown, ...a: unknown[]) {
    keep(a[0]);
    if (!overflow && chunks.length) inspect();
    inEnd = true;
    try { return end.apply(this, a); } finally { inEnd = false; }
  };
  const inspect = () => {
    const type = contentType || String(res.getHeader('content-type') ?? '');
    if (!type.startsWith('application/json')) return;
    const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const isStatus = looksLikeStatus(buf.subarray(0, 48).toString('utf8'));
    if (!isStatus && !wantBody) return;
    let body: unknown;
    try { body = JSON.parse(buf.toString('utf8')); } catch { return; }
    let status: ResponseStatus | undefined;
    if (isStatus && body && typeof body === 'object') {
      const s = body as Record<string, unknown>;
      status = { metadata: {} };
      if (typeof s.status === 'string' && s.status) status.status = s.status;
      if (typeof s.message === 'string' && s.message) status.message = s.message;
      if (typeof s.reason === 'string' && s.reason) status.reason = s.reason;
      if (s.details && typeof s.details === 'object') status.details = s.details;
      if (typeof s.code === 'number') status.code = s.code;
    }
    o.onBody(status, wantBody ? body : undefined);
  };
}

/** a Status starts with its kind (errors.ts and upstream both serialize it first) */
function looksLikeStatus(head: string): boolean {
  return head.replace(/\s/g, '').startsWith('{"kind":"Status"');
}
