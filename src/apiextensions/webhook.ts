// Conversion webhooks (ConversionReview apiextensions.k8s.io/v1). The server's Converter interface is
// synchronous (views of cached objects are converted on read), so the HTTPS POST runs on a helper
// thread while this thread waits on a shared flag, then takes the answer off a MessagePort. A failure
// is a 500 naming the webhook and the cause, as upstream's "conversion webhook for ... failed: ...".

import { randomUUID } from 'node:crypto';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { KObject } from '../api/types.js';
import { StatusError } from '../machinery/errors.js';
import type { CRD } from './crd.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const https = require('node:https');
parentPort.on('message', ({ url, body, ca, servername, timeoutMs, flag, port }) => {
  const done = (msg) => { port.postMessage(msg); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
  try {
    const u = new URL(url);
    const req = https.request(u, { method: 'POST', ca: ca || undefined, servername: servername || undefined,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => done({ error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (e) => done({ error: e.message }));
    req.end(body);
  } catch (e) { done({ error: e.message }); }
});
`;

let worker: Worker | undefined;
function helper(): Worker {
  if (!worker) {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
  }
  return worker;
}

interface Reply { status?: number; body?: string; error?: string }

function postSync(url: string, body: string, ca: string | undefined, servername: string | undefined, timeoutMs: number): Reply {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  helper().postMessage({ url, body, ca, servername, timeoutMs, flag, port: port2 }, [port2 as unknown as MessagePort]);
  Atomics.wait(flag, 0, 0, timeoutMs + 1000);
  const msg = receiveMessageOnPort(port1)?.message as Reply | undefined;
  port1.close();
  return msg ?? { error: 'context deadline exceeded' };
}

/** Finds where a service-referenced webhook listens (its endpoints), or explains why it cannot. */
export type ServiceResolver = (namespace: string, name: string, port: number) => { host: string; port: number } | string;

export class WebhookConverter {
  constructor(private readonly crd: CRD, private readonly resolveService: ServiceResolver) {}

  private target(): { url: string; servername?: string } {
    const cc = this.crd.spec.conversion?.webhook?.clientConfig ?? {};
    if (cc.url) return { url: cc.url };
    const svc = cc.service!;
    const r = this.resolveService(svc.namespace, svc.name, svc.port ?? 443);
    if (typeof r === 'string') throw this.failure(r);
    return { url: `https://${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}${svc.path ?? ''}`, servername: `${svc.name}.${svc.namespace}.svc` };
  }

  private failure(detail: string): StatusError {
    const kind = this.crd.spec.names.kind;
    return new StatusError(500, 'InternalError', `conversion webhook for ${this.crd.spec.group}/${this.crd.spec.versions.find((v) => v.storage)?.name}, Kind=${kind} failed: ${detail}`);
  }

  convert(obj: KObject, desiredAPIVersion: string): KObject {
    const uid = randomUUID();
    const review = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid, desiredAPIVersion, objects: [obj] } };
    const { url, servername } = this.target();
    const cc = this.crd.spec.conversion?.webhook?.clientConfig ?? {};
    const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
    const reply = postSync(url, JSON.stringify(review), ca, servername, 30_000);
    if (reply.error) throw this.failure(`Post "${url}": ${reply.error}`);
    if (reply.status !== 200) throw this.failure(`conversion webhook response was ${reply.status}`);
    let out: { response?: { uid?: string; result?: { status?: string; message?: string }; convertedObjects?: KObject[] } };
    try { out = JSON.parse(reply.body ?? ''); } catch (e) { throw this.failure(`unmarshal ConversionReview: ${(e as Error).message}`); }
    const r = out.response;
    if (!r) throw this.failure('no response provided');
    if (r.uid !== uid) throw this.failure(`expected response uid ${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
    if (r.result?.status !== 'Success') throw this.failure(r.result?.message ?? 'conversion failed');
    const conv = r.convertedObjects ?? [];
    if (conv.length !== 1) throw this.failure(`returned ${conv.length} objects, expected 1`);
    const c = conv[0];
    if (c.apiVersion !== desiredAPIVersion) throw this.failure(`invalid converted object: apiVersion ${JSON.stringify(c.apiVersion)} is not the desired ${JSON.stringify(desiredAPIVersion)}`);
    if (c.kind !== obj.kind) throw this.failure(`invalid converted object: kind ${JSON.stringify(c.kind)} is not ${JSON.stringify(obj.kind)}`);
    // metadata stays the server's except labels and annotations (upstream restricts what a webhook may change)
    const meta = { ...obj.metadata, labels: c.metadata?.labels, annotations: c.metadata?.annotations };
    if (meta.labels === undefined) delete meta.labels;
    if (meta.annotations === undefined) delete meta.annotations;
    return { ...c, metadata: meta };
  }
}
