// Durations as upstream flags spell them (Go's time.ParseDuration subset: "10s", "500ms", "5m", "1h30m").
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go-style duration; a bare number is seconds. Throws on anything else. */
export function parseDuration(s: string): number {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNITS[m[2]];
    end = re.lastIndex;
  }
  if (t === '' || end !== t.length) throw new Error(`time: invalid duration "${s}"`);
  return total;
}
