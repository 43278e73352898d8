import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, canonicalQuantity, compareQuantities, quantityError, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from './quantity.js';

test('canonical forms match upstream', () => {
  const cases: [string | number, string][] = [
    ['100m', '100m'], ['0.5', '500m'], ['1.5', '1500m'], ['1000', '1k'], ['1500', '1500'], ['1000m', '1'],
    ['1Gi', '1Gi'], ['1.5Gi', '1536Mi'], ['0.5Ki', '512'], ['1024', '1024'], ['1e3', '1e3'], ['1E6', '1e6'],
    ['0', '0'], ['-1', '-1'], ['-0.5', '-500m'], ['0.1m', '100u'], ['1n', '1n'], ['0.0000000001', '1n'],
    ['12M', '12M'], ['128974848', '128974848'], ['129e6', '129e6'], ['123Mi', '123Mi'], [2, '2'], [0.25, '250m'],
    ['+5', '5'], ['5.', '5'], ['.5', '500m'], ['1Ei', '1Ei'], ['2048Ki', '2Mi'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `canonical(${input})`);
});

test('comparison is exact across suffixes', () => {
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('1Ki', '1024'), 0);
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('500m', '0.6'), -1);
  assert.equal(compareQuantities('1e3', '1k'), 0);
  assert.equal(compareQuantities('-1', '0'), -1);
});

test('bad quantities give upstream errors', () => {
  for (const bad of ['', 'abc', '1.2.3', '--1', '1 Gi', ' 1', 'Gi', '.', '1e']) {
    assert.ok(quantityError(bad), `expected error for ${JSON.stringify(bad)}`);
  }
  assert.equal(quantityError('abc'), QUANTITY_FORMAT_ERROR);
  assert.equal(quantityError('1K'), QUANTITY_SUFFIX_ERROR);
  assert.equal(quantityError('1Mb'), QUANTITY_FORMAT_ERROR);
  assert.equal(quantityError('1e'), QUANTITY_SUFFIX_ERROR);
  assert.equal(quantityError('1Gi'), undefined);
  assert.throws(() => parseQuantity('x'), /quantities must match/);
  assert.equal(quantityError({}), QUANTITY_FORMAT_ERROR);
});

test('roundUp and value helpers', () => {
  assert.equal(parseQuantity('0.1m').roundUp(-3).toString(), '1m');
  assert.equal(parseQuantity('1.0001').roundUp(-3).toString(), '1001m');
  assert.equal(parseQuantity('250m').milliValue(), 250n);
  assert.equal(parseQuantity('250m').value(), 1n);
  assert.equal(parseQuantity('2Ki').value(), 2048n);
});
