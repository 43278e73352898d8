import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilter } from './filter.js';
import { builtinResources } from '../../api/resources.js';
import { cachedObject } from '../storage/cached.js';
import { StatusError } from '../../machinery/errors.js';

const pods = builtinResources.find((r) => r.group === '' && r.resource === 'pods')!;
const q = (s: string) => new URLSearchParams(s);
const pod = (name: string, node: string, labels: Record<string, string>) =>
  cachedObject(`/registry/pods/d/${name}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'd', labels }, spec: { nodeName: node } }, 5);

test('field and label selectors over cached objects, through their per-object attributes', () => {
  const a = pod('a', 'n1', { app: 'x' });
  const b = pod('b', 'n2', { app: 'y' });
  const byNode = buildFilter(pods, q('fieldSelector=spec.nodeName%3Dn1'));
  assert.deepEqual([a, b].map((c) => byNode.test(c)), [true, false]);
  const both = buildFilter(pods, q('fieldSelector=spec.nodeName!%3Dn1&labelSelector=app%3Dy'));
  assert.deepEqual([a, b].map((c) => both.test(c)), [false, true]);
  // the same object answers another selector from the same attributes
  assert.equal(buildFilter(pods, q('fieldSelector=metadata.name%3Db')).test(b), true);
  assert.equal(buildFilter(pods, q('')).empty, true);
});

test('inherited property names are not selectable fields: 400, as upstream', () => {
  for (const f of ['constructor', 'toString', '__proto__']) {
    assert.throws(() => buildFilter(pods, q(`fieldSelector=${f}%3Dx`)),
      (e: unknown) => e instanceof StatusError && e.code === 400 && /field label not supported/.test(e.message), f);
  }
});
