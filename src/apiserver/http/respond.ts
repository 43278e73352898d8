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

/** writeJSONParts: bytes per write, the most left buffered before waiting for the reader, time per turn */
const CHUNK_BYTES = 1 << 20;
const BUFFERED_BYTES = 8 << 20;
const TURN_MS = 10;

/**
 * A JSON body given as parts (a list: its head, each item's cached bytes, the tail), written in
 * 1 MiB chunks for at most ~10 ms per turn of the event loop, waiting for 'drain' only once 8 MiB
 * are buffered. A cluster-wide LIST of 150,000 pods is ~1 GB: joined into one buffer and written
 * at once it held the main thread for seconds (copy + TLS encryption) and doubled the memory it
 * took; yielding after every chunk instead made it take a minute under load (a turn per MiB).
 */
export async function writeJSONParts(res: Res, code: number, parts: Buffer[], contentType = 'application/json'): Promise<void> {
  let total = 0;
  for (const p of parts) total += p.length;
  if (contentType !== 'application/json' || total <= CHUNK_BYTES) return writeJSON(res, code, Buffer.concat(parts, total), contentType);
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-cache, private', 'content-length': String(total) });
  const buffered = () => (res as unknown as { writableLength?: number }).writableLength;
  // HTTP/2 responses have no `destroyed`, and writableEnded stays false after the peer resets the stream
  let gone = false;
  res.once('close', () => { gone = true; });
  let batch: Buffer[] = [];
  let size = 0;
  let turn = performance.now();
  for (const p of parts) {
    batch.push(p);
    size += p.length;
    if (size < CHUNK_BYTES) continue;
    const more = res.write(Buffer.concat(batch, size));
    batch = [];
    size = 0;
    if (gone || res.destroyed || res.writableEnded) return;
    const pending = buffered();
    if (pending === undefined ? !more : pending >= BUFFERED_BYTES) {
      await new Promise<void>((resolve) => {
        const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
        res.on('drain', done);
        res.on('close', done);
      });
    } else if (performance.now() - turn >= TURN_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    } else continue;
    turn = performance.now();
    if (gone || res.destroyed || res.writableEnded) return;
  }
  if (size) res.end(Buffer.concat(batch, size)); else res.end();
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
