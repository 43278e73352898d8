// node --test bench/svg.test.mjs — the SVG writer's ticks and output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, lineChart } from './svg.mjs';

test('niceTicks covers the range with 1/2/5 steps', () => {
  assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0, 7, 6), [0, 2, 4, 6, 8]);
  assert.deepEqual(niceTicks(0, 0.9, 4), [0, 0.5, 1]);
  const t = niceTicks(13, 13);
  assert.ok(t[0] <= 13 && t[t.length - 1] >= 14);
  assert.deepEqual(niceTicks(NaN, 1), [0, 1]);
});

test('lineChart draws each series, escapes text, skips non-finite points', () => {
  const svg = lineChart({ title: 'a <b> & c', series: [{ name: 's1', points: [[0, 0], [1, 5], [2, NaN]] }, { name: 's2', points: [[0, 1], [2, 3]] }], refs: [{ y: 4, label: 'SLO' }] });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
  assert.match(svg, /a &lt;b&gt; &amp; c/);
  assert.ok(!svg.includes('NaN'));
  assert.match(svg, /stroke-dasharray/);
  assert.equal(lineChart({ series: [] }).includes('<polyline'), false);
});
