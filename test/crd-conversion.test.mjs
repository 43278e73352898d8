// End-to-end: CRD conversion webhooks. A ConversionReview v1 server run by the test (HTTPS on
// loopback, its CA in caBundle) converts between v1 (storage, spec.size) and v2 (spec.dimensions.size);
// when it is down, requests that need conversion get a clear 500 and nothing stored is lost.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { startServer } from './harness.mjs';

let srv, hook, dir, reviews = 0;
const G = 'conv.kumo.dev';

function convert(obj, to) {
  const out = structuredClone(obj);
  out.apiVersion = to;
  if (to.endsWith('/v2') && out.spec && 'size' in out.spec) { out.spec.dimensions = { size: out.spec.size }; delete out.spec.size; }
  if (to.endsWith('/v1') && out.spec?.dimensions) { out.spec.size = out.spec.dimensions.size; delete out.spec.dimensions; }
  return out;
}

const crd = (url, ca) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `boxes.${G}` },
  spec: {
    group: G, scope: 'Namespaced', names: { plural: 'boxes', kind: 'Box' },
    conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url, caBundle: Buffer.from(ca).toString('base64') } } },
    versions: [
      { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } },
      { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { dimensions: { type: 'object', properties: { size: { type: 'integer' } } } } } } } } },
    ],
  },
});

describe('CRD conversion webhooks', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kumo-conv-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    hook = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        reviews++;
        const review = JSON.parse(body);
        const { uid, desiredAPIVersion, objects } = review.request;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview',
          response: { uid, result: { status: 'Success' }, convertedObjects: objects.map((o) => convert(o, desiredAPIVersion)) } }));
      });
    });
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    srv = await startServer();
    const url = `https://127.0.0.1:${hook.address().port}/convert`;
    const c = await srv.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd(url, readFileSync(join(dir, 'c.pem'), 'utf8')) });
    assert.equal(c.status, 201, c.text);
    const w = await srv.kubectl(['wait', '--for=condition=Established', `crd/boxes.${G}`, '--timeout=20s']);
    assert.equal(w.code, 0, w.stderr);
  });
  after(async () => { hook?.close(); await srv?.stop(); srv?.cleanup(); rmSync(dir, { recursive: true, force: true }); });

  test('objects written in v2 are stored in v1 and read back in either version through the webhook', async () => {
    const c = await srv.request('POST', `/apis/${G}/v2/namespaces/default/boxes`, {
      body: { apiVersion: `${G}/v2`, kind: 'Box', metadata: { name: 'b1' }, spec: { dimensions: { size: 3 } } },
    });
    assert.equal(c.status, 201, c.text);
    assert.deepEqual(c.json.spec, { dimensions: { size: 3 } });
    const v1 = await srv.request('GET', `/apis/${G}/v1/namespaces/default/boxes/b1`);
    assert.equal(v1.json.apiVersion, `${G}/v1`);
    assert.deepEqual(v1.json.spec, { size: 3 });
    const v2 = await srv.request('GET', `/apis/${G}/v2/namespaces/default/boxes`);
    assert.deepEqual(v2.json.items[0].spec, { dimensions: { size: 3 } });
    assert.ok(reviews >= 2, 'the webhook was called');
  });

  test('a webhook that is down gives a clear 500; the storage version still serves', async () => {
    await new Promise((r) => hook.close(r));
    hook.closeAllConnections?.();
    // written in the storage version: no conversion needed to store it
    const c = await srv.request('POST', `/apis/${G}/v1/namespaces/default/boxes`, { body: { apiVersion: `${G}/v1`, kind: 'Box', metadata: { name: 'b2' }, spec: { size: 4 } } });
    assert.equal(c.status, 201, c.text);
    // a converted view of an unchanged object is computed once (b1); b2 needs the webhook
    const r = await srv.request('GET', `/apis/${G}/v2/namespaces/default/boxes/b2`);
    assert.equal(r.status, 500, r.text);
    assert.match(r.json.message, /^conversion webhook for conv\.kumo\.dev\/v1, Kind=Box failed: Post "https:\/\/127\.0\.0\.1:\d+\/convert": .*ECONNREFUSED/);
    const v1 = await srv.request('GET', `/apis/${G}/v1/namespaces/default/boxes/b2`);
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.json.spec, { size: 4 });
    const w = await srv.request('POST', `/apis/${G}/v2/namespaces/default/boxes`, { body: { apiVersion: `${G}/v2`, kind: 'Box', metadata: { name: 'b3' }, spec: {} } });
    assert.equal(w.status, 500, 'writes that need conversion fail too');
    assert.equal((await srv.request('GET', `/apis/${G}/v1/namespaces/default/boxes/b3`)).status, 404);
  });
});
