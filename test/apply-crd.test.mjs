// Server-side apply on custom resources (issue 7) through kubectl: two field managers, conflicts
// with upstream's message, --force-conflicts, list-map fields of the CRD schema (x-kubernetes-list-type:
// map, x-kubernetes-list-map-keys) merged by key and set lists merged by value, a manager dropping a
// field removes it; strategic merge patch on a custom resource is refused as upstream (415; kubectl's
// "is not supported by" wording).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let s;
const GROUP = 'ssa.kumo.dev';
const path = (name) => `/apis/${GROUP}/v1/namespaces/default/routers/${name}`;
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `routers.${GROUP}` },
  spec: {
    group: GROUP, scope: 'Namespaced', names: { plural: 'routers', singular: 'router', kind: 'Router' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: {
        size: { type: 'integer' },
        mode: { type: 'string' },
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'protocol'],
          items: { type: 'object', required: ['name', 'protocol'], properties: {
            name: { type: 'string' }, protocol: { type: 'string' }, port: { type: 'integer' } } },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        args: { type: 'array', items: { type: 'string' } },
      } } } } },
    }],
  },
};
const router = (name, spec) => JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Router', metadata: { name }, spec });
const apply = (manager, body, extra = []) => s.kubectl(['apply', '--server-side', `--field-manager=${manager}`, ...extra, '-f', '-'], { input: body });
const get = async (name) => (await s.request('GET', path(name))).json;
const managers = (o) => o.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`).sort();

before(async () => {
  s = await startServer();
  const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd) });
  assert.equal(r.code, 0, r.stderr);
  const w = await s.kubectl(['wait', '--for=condition=Established', `crd/routers.${GROUP}`, '--timeout=20s']);
  assert.equal(w.code, 0, w.stderr);
});
after(async () => { await s?.stop(); s?.cleanup(); });

test('two managers: list-map merge by key, set merge, conflicts, --force-conflicts, dropped fields removed', async () => {
  let r = await apply('alice', router('r1', {
    size: 1, mode: 'fast', ports: [{ name: 'http', protocol: 'TCP', port: 80 }, { name: 'dns', protocol: 'UDP', port: 53 }], tags: ['a'], args: ['-v'],
  }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /router.ssa.kumo.dev\/r1 serverside-applied/);
  // bob adds a port with the same name but another protocol (a different key), and a tag: no conflict
  r = await apply('bob', router('r1', { ports: [{ name: 'http', protocol: 'UDP', port: 8080 }], tags: ['b'] }));
  assert.equal(r.code, 0, r.stderr);
  let o = await get('r1');
  assert.deepEqual(o.spec.ports, [
    { name: 'http', protocol: 'TCP', port: 80 }, { name: 'dns', protocol: 'UDP', port: 53 }, { name: 'http', protocol: 'UDP', port: 8080 }]);
  assert.deepEqual(o.spec.tags, ['a', 'b']);
  assert.deepEqual(managers(o), ['alice/Apply', 'bob/Apply']);
  const bobFields = o.metadata.managedFields.find((m) => m.manager === 'bob').fieldsV1;
  assert.deepEqual(bobFields['f:spec']['f:ports'], { 'k:{"name":"http","protocol":"UDP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {} } });
  assert.deepEqual(bobFields['f:spec']['f:tags'], { 'v:"b"': {} });

  // one conflicting field
  r = await apply('bob', router('r1', { size: 2, ports: [{ name: 'http', protocol: 'UDP', port: 8080 }], tags: ['b'] }));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "alice": \.spec\.size/);
  assert.match(r.stderr, /Please review the fields above--they currently have other managers/);
  // two: one per line under the manager, the list-map entry named by its keys
  const two = await s.request('PATCH', `${path('r1')}?fieldManager=bob`, {
    body: router('r1', { size: 2, ports: [{ name: 'http', protocol: 'TCP', port: 81 }] }), headers: { 'content-type': 'application/apply-patch+yaml' },
  });
  assert.equal(two.status, 409, two.text);
  assert.equal(two.json.reason, 'Conflict');
  assert.equal(two.json.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.size\n- .spec.ports[name="http",protocol="TCP"].port');
  assert.deepEqual(two.json.details.causes.map((c) => [c.reason, c.message, c.field]).sort(), [
    ['FieldManagerConflict', 'conflict with "alice"', '.spec.ports[name="http",protocol="TCP"].port'],
    ['FieldManagerConflict', 'conflict with "alice"', '.spec.size'],
  ]);
  o = await get('r1');
  assert.equal(o.spec.size, 1, 'nothing written on conflict');

  // --force-conflicts: bob takes size; alice no longer owns it
  r = await apply('bob', router('r1', { size: 2, ports: [{ name: 'http', protocol: 'UDP', port: 8080 }], tags: ['b'] }), ['--force-conflicts']);
  assert.equal(r.code, 0, r.stderr);
  o = await get('r1');
  assert.equal(o.spec.size, 2);
  const alice = o.metadata.managedFields.find((m) => m.manager === 'alice').fieldsV1['f:spec'];
  assert.equal(alice['f:size'], undefined);
  assert.ok(o.metadata.managedFields.find((m) => m.manager === 'bob').fieldsV1['f:spec']['f:size']);

  // alice drops the dns port, her tag and mode; bob's objects stay; size (now bob's) stays
  r = await apply('alice', router('r1', { ports: [{ name: 'http', protocol: 'TCP', port: 80 }], args: ['-v'] }));
  assert.equal(r.code, 0, r.stderr);
  o = await get('r1');
  assert.deepEqual(o.spec.ports, [{ name: 'http', protocol: 'TCP', port: 80 }, { name: 'http', protocol: 'UDP', port: 8080 }]);
  assert.deepEqual(o.spec.tags, ['b']);
  assert.equal(o.spec.mode, undefined);
  assert.equal(o.spec.size, 2);
  assert.deepEqual(o.spec.args, ['-v']);
  // an atomic list is replaced whole and changes owner
  r = await apply('bob', router('r1', { size: 2, ports: [{ name: 'http', protocol: 'UDP', port: 8080 }], tags: ['b'], args: ['-q', '-x'] }), ['--force-conflicts']);
  assert.equal(r.code, 0, r.stderr);
  o = await get('r1');
  assert.deepEqual(o.spec.args, ['-q', '-x']);
  assert.equal(o.metadata.managedFields.find((m) => m.manager === 'alice').fieldsV1['f:spec']['f:args'], undefined);
});

// upstream builds the manager identifier without the time (BuildManagerIdentifier), so printManager's
// "at <time>" branch never shows: an Update manager is named with its API version only
test('an Update manager conflicts with "using <apiVersion>"', async () => {
  let r = await apply('carol', router('r2', { size: 1 }));
  assert.equal(r.code, 0, r.stderr);
  r = await s.kubectl(['patch', `routers.${GROUP}`, 'r2', '--type=merge', '-p', '{"spec":{"size":5}}', '--field-manager=dave']);
  assert.equal(r.code, 0, r.stderr);
  r = await apply('carol', router('r2', { size: 1 }));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^error: Apply failed with 1 conflict: conflict with "dave" using ssa\.kumo\.dev\/v1: \.spec\.size\n/);
});

test('strategic merge patch on a custom resource: 415, and kubectl names the patch type', async () => {
  let r = await apply('alice', router('r3', { size: 1 }));
  assert.equal(r.code, 0, r.stderr);
  const raw = await s.request('PATCH', path('r3'), { body: { spec: { size: 2 } }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
  assert.equal(raw.status, 415);
  assert.equal(raw.json.reason, 'UnsupportedMediaType');
  assert.equal(raw.json.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  r = await s.kubectl(['patch', `routers.${GROUP}`, 'r3', '-p', '{"spec":{"size":2}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`error: application/strategic-merge-patch\\+json is not supported by ${GROUP.replace(/\./g, '\\.')}/v1, Kind=Router: the body of the request was in an unknown format - accepted media types include: application/json-patch\\+json, application/merge-patch\\+json, application/apply-patch\\+yaml`));
  assert.equal((await get('r3')).spec.size, 1);
  r = await s.kubectl(['patch', `routers.${GROUP}`, 'r3', '--type=merge', '-p', '{"spec":{"size":2}}']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await get('r3')).spec.size, 2);
});
