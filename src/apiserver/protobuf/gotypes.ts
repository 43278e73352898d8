// Go formatting that the JSON forms of meta/v1 Time, MicroTime and Duration depend on, so a body
// decoded from protobuf reads exactly as the same object sent as JSON by a Go client.

/** time.Time{} as Unix seconds: Go marshals it as JSON null. */
const GO_ZERO_UNIX_SECONDS = -62135596800n;
const NANOS_PER_SECOND = 1_000_000_000n;

export type Int64Like = number | bigint | string | { toString(): string };

/** protobufjs hands out int64 as Long (or number without long.js); normalise to bigint. */
export function toBigInt(v: Int64Like | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(v.toString());
}

/** int64 as a JSON number, like encoding/json (precision beyond 2^53 is lost, as with any JS JSON). */
export function toNumber(v: Int64Like | null | undefined): number {
  return typeof v === 'number' ? v : Number(toBigInt(v));
}

function isoSeconds(seconds: bigint): string {
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError(`timestamp out of range: ${seconds}s`);
  return d.toISOString().replace(/\.\d{3}Z$/, '');
}

/** meta/v1 Time: whole seconds, RFC3339 in UTC ("2006-01-02T15:04:05Z"); the zero time is null. */
export function formatTime(seconds: Int64Like): string | null {
  const s = toBigInt(seconds);
  if (s === GO_ZERO_UNIX_SECONDS) return null;
  return `${isoSeconds(s)}Z`;
}

/** meta/v1 MicroTime: RFC3339 with exactly six fractional digits, truncated ("…05.000000Z"). */
export function formatMicroTime(seconds: Int64Like, nanos: Int64Like): string | null {
  // time.Unix normalises nanos outside [0, 1e9) into the seconds
  const total = toBigInt(seconds) * NANOS_PER_SECOND + toBigInt(nanos);
  let s = total / NANOS_PER_SECOND;
  let n = total % NANOS_PER_SECOND;
  if (n < 0n) { n += NANOS_PER_SECOND; s -= 1n; }
  if (s === GO_ZERO_UNIX_SECONDS && n === 0n) return null;
  const micros = (n / 1000n).toString().padStart(6, '0');
  return `${isoSeconds(s)}.${micros}Z`;
}

/** v with prec decimal digits moved behind a point, trailing zeros (and a bare point) dropped. */
function withFraction(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const whole = v / scale;
  const frac = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** time.Duration.String(): "1h2m3.5s", "2m0s", "1.5ms", "0s". */
export function formatDuration(nanos: Int64Like): string {
  const d = toBigInt(nanos);
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < NANOS_PER_SECOND) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${withFraction(u, 3)}µs`;
    else out = `${withFraction(u, 6)}ms`;
  } else {
    out = `${withFraction(u % (60n * NANOS_PER_SECOND), 9)}s`;
    u /= 60n * NANOS_PER_SECOND; // whole minutes
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}
