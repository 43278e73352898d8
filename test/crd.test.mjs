// End-to-end: CustomResourceDefinitions as upstream serves them. A rich CRD installs and becomes
// Established; custom resources get defaults, pruning, schema and CEL validation with field paths,
// printer columns, scale, status, selectable fields, two versions, discovery, OpenAPI (kubectl
// explain), watch; bad CRDs and bad objects get upstream's errors; deleting the CRD removes its objects.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import { parseAllDocuments } from 'yaml';
import { startServer } from './harness.mjs';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crds');
const CRD = 'widgets.example.kumo.dev';
const BASE = '/apis/example.kumo.dev/v1/namespaces/default/widgets';
let srv;

const widget = (name, spec, extra = {}) => ({ apiVersion: 'example.kumo.dev/v1', kind: 'Widget', metadata: { name }, spec, ...extra });

async function waitFor(fn, what, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('CustomResourceDefinitions', () => {
  before(async () => {
    srv = await startServer();
    const r = await srv.kubectl(['apply', '-f', join(FIX, 'widgets.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const w = await srv.kubectl(['wait', '--for=condition=Established', `crd/${CRD}`, '--timeout=20s']);
    assert.equal(w.code, 0, w.stderr);
  });
  after(async () => { await srv?.stop(); srv?.cleanup(); });

  test('the CRD gets NamesAccepted, Established, acceptedNames and storedVersions', async () => {
    const r = await srv.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`);
    assert.equal(r.status, 200);
    const st = r.json.status;
    assert.deepEqual(st.storedVersions, ['v1']);
    assert.equal(st.acceptedNames.kind, 'Widget');
    assert.deepEqual(st.acceptedNames.shortNames, ['wg']);
    const c = Object.fromEntries(st.conditions.map((x) => [x.type, x]));
    assert.equal(c.NamesAccepted.status, 'True');
    assert.equal(c.NamesAccepted.reason, 'NoConflicts');
    assert.equal(c.Established.status, 'True');
    assert.equal(c.Established.reason, 'InitialNamesAccepted');
  });

  test('discovery and aggregated discovery list both versions with short names, categories and subresources', async () => {
    const g = await srv.request('GET', '/apis/example.kumo.dev');
    assert.equal(g.json.preferredVersion.version, 'v1');
    assert.deepEqual(g.json.versions.map((v) => v.version).sort(), ['v1', 'v1beta1']);
    const l = await srv.request('GET', '/apis/example.kumo.dev/v1');
    const names = l.json.resources.map((r) => r.name).sort();
    assert.deepEqual(names, ['widgets', 'widgets/scale', 'widgets/status']);
    const w = l.json.resources.find((r) => r.name === 'widgets');
    assert.deepEqual(w.shortNames, ['wg']);
    assert.deepEqual(w.categories, ['all', 'kumo']);
    assert.equal(w.singularName, 'widget');
    const agg = await srv.request('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
    const grp = agg.json.items.find((i) => i.metadata.name === 'example.kumo.dev');
    assert.ok(grp, 'group in aggregated discovery');
    const res = grp.versions.find((v) => v.version === 'v1').resources[0];
    assert.equal(res.resource, 'widgets');
    assert.deepEqual(res.subresources.map((s) => s.subresource).sort(), ['scale', 'status']);
  });

  test('create fills defaults (nested, list items) and prunes unknown fields with warnings', async () => {
    const r = await srv.request('POST', BASE, { body: widget('w1', {
      color: 'red', bogus: 1, labels: { a: 'b' }, ports: [{ name: 'http', junk: true }], target: 'http',
    }, { extra: 'x' }) });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json.spec, {
      color: 'red', size: 'medium', replicas: 1, minReplicas: 0, labels: { a: 'b' },
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], nested: { level: 'deep' }, target: 'http',
    });
    assert.equal(r.json.extra, undefined);
    assert.equal(r.json.status, undefined, 'status is reset on create with the status subresource');
    assert.equal(r.json.metadata.generation, 1);
    assert.match(String(r.headers.warning), /299 - "unknown field \\"spec\.bogus\\""/);
    const strict = await srv.request('POST', `${BASE}?fieldValidation=Strict`, { body: widget('w-strict', { color: 'red', bogus: 1 }) });
    assert.equal(strict.status, 400);
    assert.equal(strict.json.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"');
  });

  test('invalid objects are rejected with upstream field errors', async () => {
    const r = await srv.request('POST', BASE, { body: widget('bad', { color: 'purple', replicas: 'three', size: 'huge', nested: { when: 'noon' }, ports: [{ name: 'a' }, { name: 'a' }] }) });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.reason, 'Invalid');
    const msgs = r.json.details.causes.map((c) => `${c.field}: ${c.message}`);
    for (const want of [
      'spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"',
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      'spec.size: Invalid value: "huge": spec.size in body should match \'^(small|medium|large)$\'',
      'spec.nested.when: Invalid value: "noon": spec.nested.when in body must be of type date-time: "noon"',
      'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"a"}',
    ]) assert.ok(msgs.includes(want), `missing ${want}\n${msgs.join('\n')}`);
    assert.match(r.json.message, /^Widget\.example\.kumo\.dev "bad" is invalid: \[/);
    const req = await srv.request('POST', BASE, { body: widget('bad2', {}) });
    assert.equal(req.status, 422);
    assert.deepEqual(req.json.details.causes.map((c) => `${c.field}: ${c.message}`), ['spec.color: Required value']);
    const gone = await srv.request('GET', `${BASE}/bad`);
    assert.equal(gone.status, 404, 'nothing stored');
  });

  test('CEL rules: plain rules on create, transition rules on update', async () => {
    const r = await srv.request('POST', BASE, { body: widget('cel', { color: 'blue', replicas: 1, minReplicas: 3 }) });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.details.causes.map((c) => `${c.field}: ${c.message}`), ['spec: Invalid value: "object": replicas must be at least minReplicas']);
    const ok = await srv.request('POST', BASE, { body: widget('cel', { color: 'blue', replicas: 3, minReplicas: 3 }) });
    assert.equal(ok.status, 201, ok.text);
    const p = await srv.request('PATCH', `${BASE}/cel`, { body: { spec: { color: 'green' } }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(p.status, 422);
    assert.match(p.json.message, /spec: Invalid value: "object": color is immutable/);
  });

  test('patch: merge and json patch work, strategic merge is 415 as upstream', async () => {
    const m = await srv.request('PATCH', `${BASE}/w1`, { body: { spec: { replicas: 2 } }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(m.status, 200, m.text);
    assert.equal(m.json.spec.replicas, 2);
    assert.equal(m.json.metadata.generation, 2, 'spec changes bump generation');
    const j = await srv.request('PATCH', `${BASE}/w1`, { body: [{ op: 'replace', path: '/spec/size', value: 'large' }], headers: { 'content-type': 'application/json-patch+json' } });
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.spec.size, 'large');
    const s = await srv.request('PATCH', `${BASE}/w1`, { body: { spec: { replicas: 3 } }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    assert.equal(s.status, 415);
    assert.equal(s.json.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });

  test('status subresource: spec writes keep status, status writes keep spec and generation', async () => {
    const st = await srv.request('PATCH', `${BASE}/w1/status`, {
      body: { status: { replicas: 2, selector: 'app=w1', conditions: [{ type: 'Ready', status: 'True' }] }, spec: { replicas: 9 } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.status.replicas, 2);
    assert.equal(st.json.spec.replicas, 2, 'spec unchanged through /status');
    const gen = st.json.metadata.generation;
    const sp = await srv.request('PATCH', `${BASE}/w1`, { body: { status: { replicas: 7 } }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(sp.json.status.replicas, 2, 'status unchanged through the main resource');
    assert.equal(sp.json.metadata.generation, gen);
  });

  test('kubectl get shows printer columns; -o wide adds priority columns; selectable fields filter', async () => {
    const r = await srv.kubectl(['get', 'widgets']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+COLOR\s+REPLICAS\s+READY\s+AGE$/);
    assert.match(r.stdout, /\nw1\s+red\s+2\s+True\s+\d+s/);
    const wide = await srv.kubectl(['get', 'wg', '-o', 'wide']);
    assert.match(wide.stdout.split('\n')[0], /SIZE/);
    assert.match(wide.stdout, /w1\s+red\s+2\s+True\s+large\s+\d+s/);
    const sel = await srv.kubectl(['get', 'widgets', '--field-selector', 'spec.color=blue', '-o', 'name']);
    assert.equal(sel.stdout.trim(), 'widget.example.kumo.dev/cel');
    const bad = await srv.request('GET', `${BASE}?fieldSelector=spec.size%3Dlarge`);
    assert.equal(bad.status, 400);
    const all = await srv.kubectl(['get', 'kumo', '-o', 'name']);
    assert.match(all.stdout, /widget.example.kumo.dev\/w1/, 'categories work with kubectl');
  });

  test('kubectl scale and the Scale subresource', async () => {
    const r = await srv.kubectl(['scale', 'widget/w1', '--replicas=5']);
    assert.equal(r.code, 0, r.stderr);
    const g = await srv.request('GET', `${BASE}/w1/scale`);
    assert.equal(g.json.kind, 'Scale');
    assert.equal(g.json.apiVersion, 'autoscaling/v1');
    assert.deepEqual(g.json.spec, { replicas: 5 });
    assert.deepEqual(g.json.status, { replicas: 2, selector: 'app=w1' });
    const bad = await srv.request('PUT', `${BASE}/w1/scale`, { body: { ...g.json, spec: { replicas: -1 } } });
    assert.equal(bad.status, 422);
  });

  test('the second version serves the same objects with its apiVersion (conversion None)', async () => {
    const r = await srv.request('GET', '/apis/example.kumo.dev/v1beta1/namespaces/default/widgets/w1');
    assert.equal(r.status, 200);
    assert.equal(r.json.apiVersion, 'example.kumo.dev/v1beta1');
    assert.equal(r.json.spec.replicas, 5);
    const c = await srv.request('POST', '/apis/example.kumo.dev/v1beta1/namespaces/default/widgets', {
      body: { apiVersion: 'example.kumo.dev/v1beta1', kind: 'Widget', metadata: { name: 'old' }, spec: { color: 'green', free: 'form' } },
    });
    assert.equal(c.status, 201, c.text);
    const v1 = await srv.request('GET', `${BASE}/old`);
    assert.equal(v1.json.apiVersion, 'example.kumo.dev/v1');
    assert.equal(v1.json.spec.free, 'form', 'preserved by the v1beta1 schema, stored as written');
  });

  test('OpenAPI v2/v3 publish the schema; kubectl explain describes it', async () => {
    const v2 = await srv.request('GET', '/openapi/v2');
    const def = v2.json.definitions['dev.kumo.example.v1.Widget'];
    assert.ok(def, 'definition in /openapi/v2');
    assert.equal(def.properties.spec.properties.color.description, 'Color of the widget.');
    assert.ok(v2.json.paths['/apis/example.kumo.dev/v1/namespaces/{namespace}/widgets/{name}']);
    const idx = await srv.request('GET', '/openapi/v3');
    assert.ok(idx.json.paths['apis/example.kumo.dev/v1'], 'v3 index lists the group version');
    const r = await srv.kubectl(['explain', 'widgets.spec']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /WidgetSpec describes the widget/);
    assert.match(r.stdout, /color\s+<string> -required-/);
  });

  test('watch delivers events for custom resources', async () => {
    const events = [];
    const done = new Promise((resolve, reject) => {
      const u = new URL(`${BASE}?watch=1&fieldSelector=metadata.name%3Dwatched`, srv.url);
      const req = https.request({ hostname: u.hostname, port: u.port, path: u.pathname + u.search, ...srv.tls, agent: false }, (res) => {
        let buf = '';
        res.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i); buf = buf.slice(i + 1);
            if (line.trim()) events.push(JSON.parse(line));
            if (events.length >= 2) { req.destroy(); resolve(); }
          }
        });
      });
      req.on('error', (e) => { if (events.length < 2) reject(e); });
      req.end();
    });
    await new Promise((r) => setTimeout(r, 200));
    await srv.request('POST', BASE, { body: widget('watched', { color: 'red' }) });
    await srv.request('DELETE', `${BASE}/watched`);
    await done;
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'DELETED']);
    assert.equal(events[0].object.spec.size, 'medium');
  });

  test('bad CRDs get upstream errors; CRs of a CRD that is not established are 404', async () => {
    const base = JSON.parse(JSON.stringify(parseAllDocuments(readFileSync(join(FIX, 'widgets.yaml'), 'utf8'))[0].toJS()));
    const mk = (mut) => { const c = JSON.parse(JSON.stringify(base)); c.metadata.name = 'gadgets.example.kumo.dev'; c.spec.names = { plural: 'gadgets', kind: 'Gadget' }; mut(c); return c; };
    const ns = mk((c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size = { default: 'x' }; });
    let r = await srv.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: ns });
    assert.equal(r.status, 422);
    assert.ok(r.json.details.causes.some((c) => c.field === 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type'
      && c.message === 'Required value: must not be empty for specified object fields'), r.text);
    r = await srv.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: mk((c) => { c.spec.versions[1].storage = true; }) });
    assert.equal(r.status, 422);
    assert.match(r.json.message, /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/);
    r = await srv.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: mk((c) => { c.metadata.name = 'wrong.example.kumo.dev'; }) });
    assert.equal(r.status, 422);
    assert.match(r.json.message, /metadata.name: Invalid value: "wrong.example.kumo.dev": must be spec.names.plural\+"."\+spec.group/);
    r = await srv.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: mk((c) => { c.spec.conversion = { strategy: 'Webhook' }; }) });
    assert.equal(r.status, 422);
    assert.match(r.json.message, /spec.conversion.webhook: Required value: required when strategy is set to Webhook/);
    // a CRD whose kind clashes with an established one is not accepted and never served
    const clash = mk((c) => { c.spec.names = { plural: 'gadgets', singular: 'gadget', kind: 'Widget', listKind: 'GadgetList' }; });
    r = await srv.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: clash });
    assert.equal(r.status, 201, r.text);
    const crd = await waitFor(async () => {
      const g = await srv.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.kumo.dev');
      return g.json.status?.conditions?.length ? g.json : undefined;
    }, 'gadgets conditions');
    const c = Object.fromEntries(crd.status.conditions.map((x) => [x.type, x]));
    assert.equal(c.NamesAccepted.status, 'False');
    assert.equal(c.NamesAccepted.reason, 'KindConflict');
    assert.equal(c.NamesAccepted.message, '"Widget" is already in use');
    assert.equal(c.Established.status, 'False');
    const get = await srv.request('GET', '/apis/example.kumo.dev/v1/namespaces/default/gadgets');
    assert.equal(get.status, 404);
    await srv.request('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.kumo.dev');
  });

  test('real-world shaped CRD bundles (Cluster API, cert-manager, Prometheus Operator) install and serve', async () => {
    for (const f of readdirSync(FIX).filter((x) => x !== 'widgets.yaml' && x.endsWith('.yaml'))) {
      const r = await srv.kubectl(['apply', '-f', join(FIX, f)]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
      for (const d of parseAllDocuments(readFileSync(join(FIX, f), 'utf8')).map((x) => x.toJS())) {
        if (d?.kind !== 'CustomResourceDefinition') continue;
        const w = await srv.kubectl(['wait', '--for=condition=Established', `crd/${d.metadata.name}`, '--timeout=20s']);
        assert.equal(w.code, 0, `${d.metadata.name}: ${w.stderr}`);
        for (const v of d.spec.versions.filter((x) => x.served)) {
          const ns = d.spec.scope === 'Namespaced' ? '/namespaces/default' : '';
          const l = await srv.request('GET', `/apis/${d.spec.group}/${v.name}${ns}/${d.spec.names.plural}`);
          assert.equal(l.status, 200, `${d.metadata.name} ${v.name}: ${l.text}`);
        }
      }
    }
    const samples = join(FIX, 'samples');
    const r = await srv.kubectl(['apply', '-f', samples]);
    assert.equal(r.code, 0, r.stderr);
    const got = await srv.kubectl(['get', 'certificates,clusters,servicemonitors', '-A', '-o', 'name']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim().split('\n').length, 3, got.stdout);
  });

  test('deleting the CRD removes its objects, then the CRD', async () => {
    const r = await srv.kubectl(['delete', 'crd', CRD, '--wait=true', '--timeout=30s']);
    assert.equal(r.code, 0, r.stderr);
    const gone = await srv.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`);
    assert.equal(gone.status, 404);
    const list = await srv.request('GET', BASE);
    assert.equal(list.status, 404, 'no longer served');
    // recreating it starts empty: the objects were deleted, not orphaned
    await srv.kubectl(['apply', '-f', join(FIX, 'widgets.yaml')]);
    await srv.kubectl(['wait', '--for=condition=Established', `crd/${CRD}`, '--timeout=20s']);
    const again = await waitFor(async () => { const x = await srv.request('GET', BASE); return x.status === 200 ? x : undefined; }, 'widgets served again');
    assert.deepEqual(again.json.items, []);
  });
});
