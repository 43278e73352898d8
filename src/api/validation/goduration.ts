// Go's time.ParseDuration: what `@every <duration>` cron schedules accept (robfig/cron hands the
// text to it), with its error texts, which upstream's CronJob validation shows verbatim.

const UNITS: Record<string, number> = {
  ns: 1e-6, us: 1e-3, '\u00b5s': 1e-3, '\u03bcs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};
/** Go durations are int64 nanoseconds */
const MAX_MS = 9_223_372_036_854.775807;

/** Go's time.quote: printable ASCII kept, other bytes as \xNN, quotes and backslashes escaped */
function goQuote(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (b >= 0x80 || b < 0x20) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += c === '"' || c === '\\' ? `\\${c}` : c;
  }
  return `${out}"`;
}

/** The duration in milliseconds, or Go's error text ("time: …"). */
export function parseGoDuration(orig: string): { ms: number } | { error: string } {
  const invalid = { error: `time: invalid duration ${goQuote(orig)}` };
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') { neg = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return { ms: 0 };
  if (s === '') return invalid;
  let total = 0;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) return invalid;
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const whole = m[1];
    const frac = m[2];
    if (whole === '' && !frac) return invalid;
    s = s.slice(m[0].length);
    const unitMatch = /^[^0-9.]*/.exec(s)![0];
    if (unitMatch === '') return { error: `time: missing unit in duration ${goQuote(orig)}` };
    const unit = UNITS[unitMatch];
    if (unit === undefined) return { error: `time: unknown unit ${goQuote(unitMatch)} in duration ${goQuote(orig)}` };
    s = s.slice(unitMatch.length);
    total += Number(`${whole || '0'}.${frac || '0'}`) * unit;
    if (total > MAX_MS) return invalid;
  }
  return { ms: neg ? -total : total };
}
