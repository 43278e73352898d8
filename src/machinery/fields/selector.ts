// Field selectors (`fieldSelector=` query): terms `field=value`, `field==value`, `field!=value`
// joined by commas (AND). Values may escape `\,` `\=` `\\`; fields cannot be escaped. Upstream:
// k8s.io/apimachinery/pkg/fields/selector.go (ParseSelector, UnescapeValue, EscapeValue).

import { badRequest, type StatusError } from '../errors.js';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  field: string;
  /** '=' covers both `=` and `==` (upstream keeps Equals for both) */
  operator: FieldOperator;
  value: string;
}

export class FieldSelectorError extends Error {
  toStatusError(): StatusError { return badRequest(this.message); }
}

/** upstream EscapeValue */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** upstream UnescapeValue: only `\\`, `\,` and `\=` are escapes; bare `,` or `=` are errors. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point number.
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Commas split terms unless escaped; the escape stays in the term for unescapeFieldValue. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator occurrence splits the term; `==` is tried before `=` at each position. */
function splitTerm(term: string): [string, typeof TERM_OPERATORS[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export class FieldSelector {
  private constructor(private readonly reqs: readonly FieldRequirement[]) {}

  static everything(): FieldSelector { return new FieldSelector([]); }

  static fromRequirements(reqs: FieldRequirement[]): FieldSelector { return new FieldSelector([...reqs]); }

  /** fields.SelectorFromSet / OneTermEqualSelector */
  static fromSet(set: Record<string, string>): FieldSelector {
    return new FieldSelector(Object.keys(set).map((f) => ({ field: f, operator: '=' as const, value: set[f] })));
  }

  /** `get` returns the object's value for a field label; a missing field compares as "". */
  matches(get: (field: string) => string | undefined): boolean {
    return this.reqs.every((r) => {
      const v = get(r.field) ?? '';
      return r.operator === '=' ? v === r.value : v !== r.value;
    });
  }

  isEmpty(): boolean { return this.reqs.length === 0; }

  requirements(): readonly FieldRequirement[] { return this.reqs; }

  /** The value an equality term pins `field` to, for index lookups (e.g. spec.nodeName). */
  requiresExactMatch(field: string): string | undefined {
    return this.reqs.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /**
   * Upstream's per-kind field label check: every field must be supported, else
   * 400 `field label not supported: <field>` (what the apiserver answers on list/watch).
   */
  checkSupported(supported: (field: string) => boolean): void {
    for (const r of this.reqs) {
      if (!supported(r.field)) throw badRequest(`field label not supported: ${r.field}`);
    }
  }

  /**
   * Rewrites fields/values (upstream Transform, used for field label conversion such as
   * `name` → `metadata.name`); a term mapped to an empty field and value is dropped.
   */
  transform(fn: (field: string, value: string) => [string, string]): FieldSelector {
    const out: FieldRequirement[] = [];
    for (const r of this.reqs) {
      const [f, v] = fn(r.field, r.value);
      if (f === '' && v === '') continue;
      out.push({ field: f, operator: r.operator, value: v });
    }
    return new FieldSelector(out);
  }

  toString(): string {
    return this.reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Parses the fieldSelector syntax; throws FieldSelectorError worded as upstream. */
export function parseFieldSelectorOrThrow(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [lhs, op, rhs] = t;
    reqs.push({ field: lhs, operator: op === '!=' ? '!=' : '=', value: unescapeFieldValue(rhs) });
  }
  return FieldSelector.fromRequirements(reqs);
}

/** Parses the fieldSelector syntax; a bad selector is a 400 BadRequest StatusError. */
export function parseFieldSelector(selector: string): FieldSelector {
  try {
    return parseFieldSelectorOrThrow(selector);
  } catch (e) {
    if (e instanceof FieldSelectorError) throw e.toStatusError();
    throw e;
  }
}
