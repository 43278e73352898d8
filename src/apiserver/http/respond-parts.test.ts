import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeJSONParts } from './respond.js';
import type { Res } from './types.js';

async function serve(handler: (res: Res) => Promise<void>): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((_req, res) => { void handler(res as unknown as Res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

test('writeJSONParts: a large list body arrives whole, with its length, and the event loop turns while it is written', async () => {
  const item = Buffer.from(JSON.stringify({ metadata: { name: 'x'.repeat(2000) } }));
  const parts = [Buffer.from('{"items":[')];
  for (let i = 0; i < 12000; i++) { if (i) parts.push(Buffer.from(',')); parts.push(item); }
  parts.push(Buffer.from(']}'));
  let ticksDuringWrite = 0;
  const s = await serve(async (res) => {
    let writing = true;
    const tick = () => { if (writing) { ticksDuringWrite++; setImmediate(tick); } };
    setImmediate(tick);
    await writeJSONParts(res, 200, parts);
    writing = false;
  });
  try {
    const r = await fetch(s.url);
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(r.status, 200);
    assert.equal(Number(r.headers.get('content-length')), body.length);
    assert.deepEqual(body, Buffer.concat(parts));
    assert.equal(JSON.parse(body.toString()).items.length, 12000);
    // ~24 MB: more than the 8 MiB left buffered, so the writer waits for the reader at least twice
    assert.ok(ticksDuringWrite >= 2, `the event loop turned ${ticksDuringWrite} times while ~24 MB were written`);
  } finally { s.close(); }
});

test('writeJSONParts: a small body goes as one write; YAML falls back to the whole document', async () => {
  const s = await serve((res) => writeJSONParts(res, 201, [Buffer.from('{"a":'), Buffer.from('1}')], 'application/yaml'));
  try {
    const r = await fetch(s.url);
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/yaml');
    assert.equal((await r.text()).trim(), 'a: 1');
  } finally { s.close(); }
});

test('writeJSONParts: over HTTP/2, a client that resets the stream stops the writing', { timeout: 20_000 }, async () => {
  const http2 = await import('node:http2');
  const chunk = Buffer.alloc(1 << 20, 0x20);
  const parts = [Buffer.from('{"items":[')];
  for (let i = 0; i < 200; i++) parts.push(chunk);
  parts.push(Buffer.from(']}'));
  let writes = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => { finished = r; });
  const server = http2.createServer((_req, res) => {
    const w = res.write.bind(res);
    (res as unknown as { write: typeof w }).write = ((...a: Parameters<typeof w>) => { writes++; return w(...a); }) as typeof w;
    void writeJSONParts(res as unknown as Res, 200, parts).finally(finished);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const req = client.request({ ':path': '/' });
    await new Promise<void>((r) => req.once('data', () => r()));
    req.close(http2.constants.NGHTTP2_CANCEL);
    await done;
    assert.ok(writes < 100, `${writes} of 200 chunks written after the client went away`);
  } finally {
    client.close();
    server.close();
  }
});
