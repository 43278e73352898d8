import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import {
  LabelSelector, Requirement, SelectorError, parseLabelSelector, parseLabelSelectorOrThrow,
  selectorFromLabelSelector, selectorFromSet,
} from './selector.js';
import { isQualifiedName, isValidLabelValue } from '../validation.js';

const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('parse and normalise: sorted by key, values sorted, whitespace ignored', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['x=a', 'x=a'],
    ['x==a', 'x==a'],
    ['x!=a', 'x!=a'],
    ['  b = 1 ,  a  ', 'a,b=1'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['x in (c,a,b,a)', 'x in (a,b,c)'],
    ['!x', '!x'],
    ['x>1,y<10', 'x>1,y<10'],
    ['value in (in)', 'value in (in)'],
    ['notin notin (in,notin)', 'notin notin (in,notin)'],
    ['x=', 'x='],
    ['x in (,)', 'x in ()'],
    ['example.com/app=web', 'example.com/app=web'],
    ['x\tin\t(a)', 'x in (a)'],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseLabelSelectorOrThrow(input).toString(), want, input);
  }
});

test('matching semantics per operator', () => {
  const ls = { app: 'web', tier: 'fe', n: '5' };
  const t = (sel: string, want: boolean, labels: Record<string, string> | null = ls) =>
    assert.equal(parseLabelSelectorOrThrow(sel).matches(labels), want, sel);
  t('app=web', true);
  t('app==web', true);
  t('app=db', false);
  t('app!=db', true);
  t('missing!=x', true); // != matches when the key is absent
  t('app in (db,web)', true);
  t('app notin (web)', false);
  t('missing notin (web)', true);
  t('app', true);
  t('missing', false);
  t('!missing', true);
  t('!app', false);
  t('n>4', true);
  t('n>5', false);
  t('n<6', true);
  t('app>1', false); // non-integer label value never satisfies gt
  t('missing<9', false);
  t('app=web,tier=fe', true);
  t('app=web,tier=be', false);
  t('', true);
  t('app', false, null);
  t('!app', true, null);
});

test('parse errors carry upstream wording', () => {
  const cases: [string, string][] = [
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['app:monolith', `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART}`],
    ['x=b@d', `unable to parse requirement: values[0][x]: Invalid value: "b@d": ${VALUE_MSG}`],
    ['x>abc', `unable to parse requirement: values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['!x=y', "found '=', expected: ',' or 'end of string'"],
    ['k=v v', "found 'v', expected: ',' or 'end of string'"],
    ['x,', "found '', expected: identifier after ','"],
    [',x', "found ',', expected: !, identifier, or 'end of string'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x >= 3', "unable to parse requirement: found '=', expected: identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
  ];
  for (const [input, want] of cases) {
    assert.throws(() => parseLabelSelectorOrThrow(input), (e: unknown) => {
      assert.ok(e instanceof SelectorError, input);
      assert.equal((e as Error).message, want, input);
      return true;
    });
  }
});

test('parseLabelSelector answers 400 BadRequest', () => {
  assert.throws(() => parseLabelSelector('a/b/c ?=? def'), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.match(e.message, /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist/);
    assert.match(e.message, /with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    return true;
  });
});

test('label value length limit is 63', () => {
  assert.doesNotThrow(() => parseLabelSelectorOrThrow(`x=${'a'.repeat(63)}`));
  assert.throws(() => parseLabelSelectorOrThrow(`x=${'a'.repeat(64)}`), /must be no more than 63 characters/);
  assert.throws(() => parseLabelSelectorOrThrow(`${'k'.repeat(64)}`), /name part must be no more than 63 characters/);
});

test('key and value validators', () => {
  assert.deepEqual(isQualifiedName('example.com/my-key_1.x'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('Example.com/x').length, 1);
  assert.equal(isQualifiedName('x/').length, 2); // empty and regex mismatch, as upstream
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('-a').length, 1);
});

test('selectorFromLabelSelector: nil selects nothing, empty selects everything', () => {
  const nothing = selectorFromLabelSelector(undefined);
  assert.equal(nothing.matches({ a: 'b' }), false);
  assert.equal(nothing.isEmpty(), false);
  assert.equal(nothing.matchesNothing(), true);
  const all = selectorFromLabelSelector({});
  assert.equal(all.matches({}), true);
  assert.equal(all.isEmpty(), true);
  const s = selectorFromLabelSelector({
    matchLabels: { tier: 'fe', app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'Exists' },
      { key: 'canary', operator: 'NotIn', values: ['true'] },
    ],
  });
  assert.equal(s.toString(), 'app=web,canary notin (true),env in (dev,prod),!legacy,tier=fe,zone');
  assert.equal(s.matches({ app: 'web', tier: 'fe', env: 'dev', zone: 'a' }), true);
  assert.equal(s.matches({ app: 'web', tier: 'fe', env: 'dev', zone: 'a', legacy: '' }), false);
  assert.equal(s.matches({ app: 'web', tier: 'fe', env: 'qa', zone: 'a' }), false);
  assert.equal(s.matches({ app: 'web', tier: 'fe', env: 'dev' }), false);
  assert.equal(s.matches({ app: 'web', tier: 'fe', env: 'dev', zone: 'a', canary: 'true' }), false);
  assert.equal(s.requiresExactMatch('app'), 'web');
  assert.equal(s.requiresExactMatch('env'), undefined);
});

test('selectorFromLabelSelector errors', () => {
  const bad = (ls: Parameters<typeof selectorFromLabelSelector>[0], want: string) =>
    assert.throws(() => selectorFromLabelSelector(ls), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 400);
      assert.equal(e.message, want);
      return true;
    });
  bad({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid label selector operator');
  bad({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
  bad({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist');
  bad({ matchLabels: { 'a b': 'x' } }, `key: Invalid value: "a b": ${NAME_PART}`);
  bad({ matchLabels: { a: 'x y', b: '' } }, `values[0][a]: Invalid value: "x y": ${VALUE_MSG}`);
  // several problems in one requirement aggregate as upstream does: "[a, b]"
  bad({ matchExpressions: [{ key: 'a b', operator: 'In', values: [] }] },
    `[key: Invalid value: "a b": ${NAME_PART}, values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]`);
});

test('selectorFromSet, add and requirements', () => {
  const s = selectorFromSet({ b: '2', a: '1' });
  assert.equal(s.toString(), 'a=1,b=2');
  assert.equal(s.matches({ a: '1', b: '2', c: '3' }), true);
  assert.equal(s.matches({ a: '1' }), false);
  assert.equal(selectorFromSet(undefined).isEmpty(), true);
  const s2 = s.add(Requirement.create('0', 'exists', []));
  assert.equal(s2.toString(), '0,a=1,b=2');
  assert.equal(s.toString(), 'a=1,b=2'); // add copies
  assert.equal(s2.requirements().length, 3);
  assert.equal(LabelSelector.nothing().add(Requirement.create('x', 'exists', [])).matches({ x: '' }), false);
});
