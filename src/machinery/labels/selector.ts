// Label selectors: the `labelSelector=` query syntax and metav1.LabelSelector, with upstream's
// grammar, normalisation (requirements sorted by key, values sorted on output) and error wording
// (k8s.io/apimachinery/pkg/labels/selector.go, metav1.LabelSelectorAsSelector).

import { badRequest, field, fieldErrorText, type StatusError } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from '../validation.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

export type Labels = Readonly<Record<string, string>> | undefined | null;

/** A parse/validation failure, worded as upstream; `toStatus()` turns it into the 400 the API answers. */
export class SelectorError extends Error {
  toStatusError(): StatusError { return badRequest(this.message); }
}

/** Go's field.ErrorList aggregate: one message alone, several (deduplicated) in brackets. */
function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

/** A field.Invalid line for a []string bad value, printed as Go 1.28's %#v does. */
function invalidValues(path: string, vals: string[], detail: string): string {
  const v = vals.length === 0 ? '[]string(nil)' : `[]string{${vals.map((x) => JSON.stringify(x)).join(', ')}}`;
  return `${path}: Invalid value: ${v}: ${detail}`;
}

function keyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? fieldErrorText(field.invalid(path, key, errs.join('; '))) : undefined;
}

export class Requirement {
  private constructor(
    readonly key: string,
    readonly operator: Operator,
    /** values as given (the string parser hands them over deduplicated and sorted) */
    readonly values: readonly string[],
  ) {}

  /** Builds a requirement without validation (labels.SelectorFromSet trusts its input). */
  static unchecked(key: string, op: Operator, vals: string[]): Requirement {
    return new Requirement(key, op, [...vals]);
  }

  /**
   * upstream NewRequirement: validates the key, the value count for the operator, integer values
   * for gt/lt, and every value as a label value. `path` prefixes field paths ("" = none).
   */
  static create(key: string, op: Operator, vals: string[], path = ''): Requirement {
    const p = (child: string): string => (path ? `${path}.${child}` : child);
    const errs: string[] = [];
    const ke = keyError(key, p('key'));
    if (ke) errs.push(ke);
    const vp = p('values');
    switch (op) {
      case 'in': case 'notin':
        if (vals.length === 0) errs.push(invalidValues(vp, vals, "for 'in', 'notin' operators, values set can't be empty"));
        break;
      case '=': case '==': case '!=':
        if (vals.length !== 1) errs.push(invalidValues(vp, vals, 'exact-match compatibility requires one single value'));
        break;
      case 'exists': case '!':
        if (vals.length !== 0) errs.push(invalidValues(vp, vals, 'values set must be empty for exists and does not exist'));
        break;
      case 'gt': case 'lt':
        if (vals.length !== 1) errs.push(invalidValues(vp, vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
        vals.forEach((v, i) => {
          if (parseGoInt64(v) === undefined) {
            errs.push(fieldErrorText(field.invalid(`${vp}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer")));
          }
        });
        break;
      default:
        errs.push(fieldErrorText(field.notSupported(p('operator'), op, BINARY_OPERATORS.concat(['exists', '!']))));
    }
    vals.forEach((v, i) => {
      const ve = isValidLabelValue(v);
      if (ve.length) errs.push(fieldErrorText(field.invalid(`${vp}[${i}][${key}]`, v, ve.join('; '))));
    });
    if (errs.length) throw new SelectorError(aggregate(errs));
    return new Requirement(key, op, [...vals]);
  }

  matches(ls: Labels): boolean {
    const has = ls != null && Object.prototype.hasOwnProperty.call(ls, this.key);
    const val = has ? ls![this.key] : undefined;
    switch (this.operator) {
      case 'in': case '=': case '==':
        return has && this.values.includes(val!);
      case 'notin': case '!=':
        return !has || !this.values.includes(val!);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt': case 'lt': {
        if (!has || this.values.length !== 1) return false;
        const lv = parseGoInt64(val!);
        const rv = parseGoInt64(this.values[0]);
        if (lv === undefined || rv === undefined) return false;
        return this.operator === 'gt' ? lv > rv : lv < rv;
      }
    }
  }

  toString(): string {
    const vals = this.values.length === 1 ? this.values[0] : [...this.values].sort().join(',');
    switch (this.operator) {
      case 'exists': return this.key;
      case '!': return `!${this.key}`;
      case '=': case '==': case '!=': return `${this.key}${this.operator}${vals}`;
      case 'gt': return `${this.key}>${vals}`;
      case 'lt': return `${this.key}<${vals}`;
      case 'in': return `${this.key} in (${vals})`;
      case 'notin': return `${this.key} notin (${vals})`;
    }
  }
}

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. */
function parseGoInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

export class LabelSelector {
  /** requirements sorted by key (stable), as upstream keeps them */
  private constructor(private readonly reqs: readonly Requirement[] | null) {}

  static fromRequirements(reqs: Requirement[]): LabelSelector {
    return new LabelSelector([...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }

  /** Matches every object. */
  static everything(): LabelSelector { return new LabelSelector([]); }

  /** Matches no object (a nil metav1.LabelSelector). */
  static nothing(): LabelSelector { return new LabelSelector(null); }

  matches(ls: Labels): boolean {
    if (this.reqs === null) return false;
    return this.reqs.every((r) => r.matches(ls));
  }

  /** True when the selector does not restrict anything (Nothing is not empty). */
  isEmpty(): boolean { return this.reqs !== null && this.reqs.length === 0; }

  matchesNothing(): boolean { return this.reqs === null; }

  requirements(): readonly Requirement[] { return this.reqs ?? []; }

  /** The value a selector pins `label` to (=, ==, or `in` with one value), for index lookups. */
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.reqs ?? []) {
      if (r.key !== label) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  add(...reqs: Requirement[]): LabelSelector {
    if (this.reqs === null) return this;
    return LabelSelector.fromRequirements([...this.reqs, ...reqs]);
  }

  toString(): string { return (this.reqs ?? []).map((r) => r.toString()).join(','); }
}

// ---- the string syntax -------------------------------------------------------------------

type Tok = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const LITERALS: Record<string, Tok> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', 'in': 'in', '<': '<', '!=': '!=', 'notin': 'notin', '(': '(',
};

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c) && c !== '';

interface Item { tok: Tok; lit: string }

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  const read = (): string => (pos < s.length ? s[pos++] : '');
  for (;;) {
    let ch = read();
    while (ch !== '' && isWhitespace(ch)) ch = read();
    if (ch === '') { items.push({ tok: 'eos', lit: '' }); return items; }
    if (isSpecial(ch)) {
      // longest run of special symbols that still forms an operator ("!=" but "!" then "(").
      pos--;
      let buf = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === '') break;
        if (!isSpecial(c)) { pos--; break; }
        buf += c;
        const t = LITERALS[buf];
        if (t) last = { tok: t, lit: buf };
        else if (last) { pos--; break; }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      pos--;
      let buf = '';
      for (;;) {
        const c = read();
        if (c === '') break;
        if (isSpecial(c) || isWhitespace(c)) { pos--; break; }
        buf += c;
      }
      const t = LITERALS[buf];
      items.push({ tok: t ?? 'id', lit: buf });
    }
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value position, the keywords in/notin are plain identifiers. */
  private look(values: boolean): Item {
    const it = this.items[Math.min(this.pos, this.items.length - 1)];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private next(values: boolean): Item {
    const it = this.look(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.look(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const t = this.next(true);
      if (t.tok === 'eos') return reqs;
      if (t.tok !== ',') throw new SelectorError(`found '${t.lit}', expected: ',' or 'end of string'`);
      const t2 = this.look(true);
      if (t2.tok !== 'id' && t2.tok !== '!') throw new SelectorError(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let op: Operator | undefined;
    let t = this.next(true);
    if (t.tok === '!') { op = '!'; t = this.next(true); }
    if (t.tok !== 'id') throw new SelectorError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const ke = keyError(key, '<nil>');
    if (ke) throw new SelectorError(ke);
    const after = this.look(true).tok;
    if (after === 'eos' || after === ',') {
      return Requirement.create(key, op === '!' ? '!' : 'exists', []);
    }
    if (op === '!') return Requirement.create(key, '!', []);
    op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    return Requirement.create(key, op, [...values].sort());
  }

  private operator(): Operator {
    const { tok, lit } = this.next(false);
    switch (tok) {
      case 'in': return 'in';
      case 'notin': return 'notin';
      case '=': return '=';
      case '==': return '==';
      case '!=': return '!=';
      case '>': return 'gt';
      case '<': return 'lt';
      default: throw new SelectorError(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private valueSet(): Set<string> {
    const open = this.next(true);
    if (open.tok !== '(') throw new SelectorError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.look(true);
    if (tok === 'id' || tok === ',') {
      const s = this.identifiers();
      if (this.next(true).tok !== ')') throw new SelectorError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ')') { this.next(true); return new Set(['']); }
    throw new SelectorError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  /** A possibly empty, comma separated list of possibly empty identifiers: "(,a,,b,)". */
  private identifiers(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'id') {
        s.add(lit);
        const t2 = this.look(true);
        if (t2.tok === ',') continue;
        if (t2.tok === ')') return s;
        throw new SelectorError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (s.size === 0) s.add('');
        const t2 = this.look(true).tok;
        if (t2 === ')') { s.add(''); return s; }
        if (t2 === ',') s.add('');
      } else {
        throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const t = this.look(true).tok;
    if (t === 'eos' || t === ',') return new Set(['']);
    const { tok, lit } = this.next(true);
    if (tok === 'id') return new Set([lit]);
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

/** Parses the labelSelector query syntax; throws SelectorError worded as upstream. */
export function parseLabelSelectorOrThrow(s: string): LabelSelector {
  return LabelSelector.fromRequirements(new Parser(lex(s)).parse());
}

/** Parses the labelSelector query syntax; a bad selector is a 400 BadRequest StatusError. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return parseLabelSelectorOrThrow(s);
  } catch (e) {
    if (e instanceof SelectorError) throw e.toStatusError();
    throw e;
  }
}

export interface LabelSelectorRequirementSpec { key: string; operator: string; values?: string[] | null }
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementSpec[] | null;
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, {} selects everything.
 * Throws SelectorError (upstream wording) for bad keys, values or operators.
 */
export function selectorFromLabelSelectorOrThrow(ls: LabelSelectorSpec | null | undefined): LabelSelector {
  if (ls == null) return LabelSelector.nothing();
  const ml = ls.matchLabels ?? {};
  const me = ls.matchExpressions ?? [];
  if (Object.keys(ml).length + me.length === 0) return LabelSelector.everything();
  const reqs: Requirement[] = [];
  for (const k of Object.keys(ml).sort()) reqs.push(Requirement.create(k, '=', [ml[k]]));
  for (const e of me) {
    const op = EXPRESSION_OPERATORS[e.operator];
    if (!op) throw new SelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(Requirement.create(e.key, op, [...(e.values ?? [])]));
  }
  return LabelSelector.fromRequirements(reqs);
}

/** As selectorFromLabelSelectorOrThrow, but failures are 400 BadRequest StatusErrors. */
export function selectorFromLabelSelector(ls: LabelSelectorSpec | null | undefined): LabelSelector {
  try {
    return selectorFromLabelSelectorOrThrow(ls);
  } catch (e) {
    if (e instanceof SelectorError) throw e.toStatusError();
    throw e;
  }
}

/** labels.SelectorFromSet: matches exactly the given labels; no validation, as upstream. */
export function selectorFromSet(set: Record<string, string> | null | undefined): LabelSelector {
  const reqs = Object.keys(set ?? {}).map((k) => Requirement.unchecked(k, '=', [set![k]]));
  return LabelSelector.fromRequirements(reqs);
}
