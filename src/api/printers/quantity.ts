// resource.Quantity's canonical string form (what upstream prints for capacities, quota usage and
// HPA metric values): "1024Mi" → "1Gi", "1.5Gi" → "1536Mi", "0.5" → "500m", "1000" → "1k".
// Exact arithmetic on BigInt; precision below 1n rounds away from zero, as upstream does.

const DECIMAL_SUFFIX: Record<string, number> = {
  n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18,
};
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_EXP = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** value = mantissa × 10^scale */
interface Parsed { mantissa: bigint; scale: number; format: Format }

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?))$/;

export function parseQuantity(input: string | number): Parsed | undefined {
  const s = typeof input === 'number' ? String(input) : input.trim();
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, sign, whole, frac = '', exp, suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  let mantissa = BigInt((whole || '0') + frac);
  let scale = -frac.length;
  let format: Format = 'DecimalSI';
  if (exp !== undefined) {
    scale += Number(exp.slice(1));
    format = 'DecimalExponent';
  } else if (suffix in BINARY_SUFFIX) {
    mantissa *= 1024n ** BigInt(BINARY_SUFFIX[suffix]);
    format = 'BinarySI';
  } else {
    scale += DECIMAL_SUFFIX[suffix];
  }
  if (scale < -9) {
    // keep nano precision, rounding up (away from zero)
    const div = 10n ** BigInt(-9 - scale);
    mantissa = (mantissa + div - 1n) / div;
    scale = -9;
  }
  if (sign === '-') mantissa = -mantissa;
  return { mantissa, scale, format };
}

function abs(n: bigint): bigint { return n < 0n ? -n : n; }

/** Canonical form of a quantity; an unparsable value is returned as given. */
export function formatQuantity(input: string | number): string {
  const q = parseQuantity(input);
  if (!q) return String(input);
  let { mantissa, scale } = q;
  if (mantissa === 0n) return '0';
  while (mantissa % 10n === 0n) { mantissa /= 10n; scale++; }

  if (q.format === 'BinarySI' && scale >= 0) {
    const value = mantissa * 10n ** BigInt(scale);
    if (abs(value) >= 1024n) {
      let v = value;
      let exp = 0;
      while (v % 1024n === 0n && exp < BINARY_BY_EXP.length - 1) { v /= 1024n; exp++; }
      return `${v}${BINARY_BY_EXP[exp]}`;
    }
  }
  // decimal: exponent a multiple of 3 (rounded down), mantissa an integer
  const r = ((scale % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(r);
  scale -= r;
  if (q.format === 'DecimalExponent') return scale === 0 ? `${mantissa}` : `${mantissa}e${scale}`;
  if (scale > 18) { mantissa *= 10n ** BigInt(scale - 18); scale = 18; }
  return `${mantissa}${DECIMAL_BY_EXP.get(scale) ?? ''}`;
}
