// Writing responses: JSON bodies, Status errors, and upstream's warning headers.
import { stringify as yamlStringify } from 'yaml';
import { StatusError, internalError } from '../../machinery/errors.js';
import type { Res } from './types.js';

/** body: an object to serialize, or JSON already serialized (string or UTF-8 bytes) */
export function writeJSON(res: Res, code: number, body: unknown, contentType = 'application/json', warnings: string[] = []): void {
  if (res.headersSent || res.writableEnded) return;
  let text: string | Buffer;
  if (contentType === 'application/yaml') {
    const v = Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : typeof body === 'string' ? JSON.parse(body) : body;
    text = yamlStringify(v);
  } else {
    text = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
  }
  const headers: Record<string, string | string[]> = {
    'content-type': contentType,
    'cache-control': 'no-cache, private',
    'content-length': String(Buffer.isBuffer(text) ? text.length : Buffer.byteLength(text)),
  };
  if (warnings.length) headers['warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function writeError(res: Res, err: unknown): void {
  const se = err instanceof StatusError ? err : internalError(err);
  if (!(err instanceof StatusError)) console.error('internal error:', err);
  if (res.headersSent) { res.end(); return; }
  const headers: Record<string, string> = {};
  if (se.details?.retryAfterSeconds) headers['retry-after'] = String(se.details.retryAfterSeconds);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  writeJSON(res, se.code, se.toStatus());
}

export function successStatus(details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}
