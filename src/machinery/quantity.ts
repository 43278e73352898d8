// resource.Quantity as upstream parses, compares and prints it. Values are kept exactly as an
// integer count of nano-units (upstream's finest precision; finer input rounds away from zero),
// so comparison is exact and canonical printing matches upstream ("0.5" → "500m", "1536Mi").

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

const NANO = 1_000_000_000n;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIXES).map(([k, v]) => [v, k]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export class Quantity {
  constructor(
    /** value × 10⁹ */
    readonly nanos: bigint,
    readonly format: QuantityFormat = 'DecimalSI',
  ) {}

  static parse(input: string | number): Quantity { return parseQuantity(input); }

  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }
  isZero(): boolean { return this.nanos === 0n; }
  sign(): -1 | 0 | 1 { return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0; }
  add(other: Quantity): Quantity { return new Quantity(this.nanos + other.nanos, this.format); }
  sub(other: Quantity): Quantity { return new Quantity(this.nanos - other.nanos, this.format); }
  /** value in milli-units, rounded up (upstream MilliValue) */
  milliValue(): bigint { return ceilDiv(this.nanos, 1_000_000n); }
  /** value in units, rounded up (upstream Value) */
  value(): bigint { return ceilDiv(this.nanos, NANO); }
  /** round away from zero to 10^scale (upstream RoundUp(scale)); e.g. -3 rounds to milli-units */
  roundUp(scale: number): Quantity {
    const step = 10n ** BigInt(9 + scale);
    if (step <= 1n) return this;
    const r = this.nanos % step;
    if (r === 0n) return this;
    return new Quantity(this.nanos - r + (this.nanos < 0n ? -step : step), this.format);
  }

  /** upstream's canonical form */
  toString(): string {
    if (this.nanos === 0n) return '0';
    const neg = this.nanos < 0n;
    const abs = neg ? -this.nanos : this.nanos;
    let format = this.format;
    if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
    let out: string;
    if (format === 'BinarySI') {
      let n = abs / NANO;
      let k = 0;
      while (k < BINARY_BY_POWER.length - 1 && n % 1024n === 0n) { n /= 1024n; k++; }
      out = `${n}${BINARY_BY_POWER[k]}`;
    } else {
      let m = abs;
      let e = -9;
      while (m % 1000n === 0n) { m /= 1000n; e += 3; }
      if (format === 'DecimalExponent') {
        out = e === 0 ? `${m}` : `${m}e${e}`;
      } else {
        if (e > 18) { m *= 10n ** BigInt(e - 18); e = 18; }
        out = `${m}${DECIMAL_BY_EXP.get(e) ?? ''}`;
      }
    }
    return neg ? `-${out}` : out;
  }

  toJSON(): string { return this.toString(); }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** parse a quantity; throws QuantityError with upstream's message */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? String(input) : input;
  if (typeof str !== 'string' || str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(str);
  if (!m || (m[2] + (m[3] ?? '')).length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, signStr, intPart, fracPart = '', suffix] = m;

  let format: QuantityFormat;
  let exp10 = 0;
  let pow2 = 0;
  if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    exp10 = DECIMAL_SUFFIXES[suffix];
  } else if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    pow2 = BINARY_SUFFIXES[suffix];
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[-+]?[0-9]+$/.test(suffix.slice(1))) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > 10_000) throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  } else {
    throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  }

  // value = digits × 10^(exp10 − fracLen) × 2^pow2, expressed in nanos
  const digits = BigInt((intPart || '0') + fracPart);
  const num = digits * (1n << BigInt(pow2));
  const shift = exp10 - fracPart.length + 9;
  let nanos: bigint;
  if (shift >= 0) {
    nanos = num * 10n ** BigInt(shift);
  } else {
    const div = 10n ** BigInt(-shift);
    nanos = num / div;
    if (num % div !== 0n) nanos += 1n; // finer than a nano: round away from zero
  }
  return new Quantity(signStr === '-' ? -nanos : nanos, format);
}

/** parse or undefined */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try { return parseQuantity(input); } catch { return undefined; }
}

/** the error message for a bad quantity, or undefined when it parses */
export function quantityError(input: unknown): string | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return QUANTITY_FORMAT_ERROR;
  try { parseQuantity(input); return undefined; } catch (e) { return (e as Error).message; }
}

export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  return parseQuantity(a).cmp(parseQuantity(b));
}

/** the canonical text upstream stores for a quantity ("1000m" → "1", "0.5Gi" → "512Mi") */
export function canonicalQuantity(input: string | number): string {
  return parseQuantity(input).toString();
}
