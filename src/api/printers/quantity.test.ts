import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity, parseQuantity } from './quantity.js';

test('formatQuantity gives upstream canonical forms', () => {
  const cases: Array<[string | number, string]> = [
    ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1000Mi', '1000Mi'], ['1.5Gi', '1536Mi'], ['0.5Gi', '512Mi'], ['2048Ki', '2Mi'],
    ['512', '512'], ['0.5Ki', '512'], ['1023', '1023'], ['1000', '1k'], ['1500m', '1500m'], ['1.5', '1500m'],
    ['0.5', '500m'], ['100m', '100m'], ['0', '0'], ['0Gi', '0'], ['10G', '10G'], ['12e6', '12e6'], ['1e3', '1e3'],
    ['1E', '1E'], ['-1.5', '-1500m'], ['0.1m', '100u'], ['1n', '1n'], ['0.0000000001', '1n'], [5, '5'], [2.5, '2500m'],
    ['+3k', '3k'], ['1.5Ki', '1536'], ['100Mi', '100Mi'], ['5Gi', '5Gi'],
  ];
  for (const [input, want] of cases) assert.equal(formatQuantity(input), want, `formatQuantity(${input})`);
});

test('formatQuantity leaves unparsable values alone', () => {
  assert.equal(formatQuantity('abc'), 'abc');
  assert.equal(formatQuantity('1Gb'), '1Gb');
  assert.equal(formatQuantity(''), '');
  assert.equal(parseQuantity('.'), undefined);
  assert.equal(parseQuantity('1..2'), undefined);
});
