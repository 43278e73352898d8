import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, formatLabelSelector, selectorString } from './labels.js';

test('formatLabels sorts keys and shows <none> when empty', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('selectors print in label-selector syntax sorted by key', () => {
  const sel = {
    matchLabels: { tier: 'web', app: 'shop' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'zz', operator: 'DoesNotExist' },
      { key: 'gpu', operator: 'Exists' },
      { key: 'os', operator: 'NotIn', values: ['windows'] },
    ],
  };
  assert.equal(selectorString(sel), 'app=shop,env in (dev,prod),gpu,os notin (windows),tier=web,!zz');
  assert.equal(formatLabelSelector(sel), 'app=shop,env in (dev,prod),gpu,os notin (windows),tier=web,!zz');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(selectorString(undefined), '');
});

test('a selector with an unknown operator is an error', () => {
  const bad = { matchExpressions: [{ key: 'a', operator: 'Like', values: ['x'] }] };
  assert.equal(selectorString(bad), undefined);
  assert.equal(formatLabelSelector(bad), '<error>');
});
