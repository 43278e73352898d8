// Human-readable ages, as upstream's k8s.io/apimachinery/pkg/util/duration prints them
// (the AGE, LAST SEEN and DURATION cells of `kubectl get`). Durations are in milliseconds.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(d / unit): truncation toward zero. */
const per = (ms: number, unit: number) => Math.trunc(ms / unit);

/**
 * ~2-3 significant figures: "45s", "119s", "3m20s", "10m", "179m", "3h", "5h30m", "47h", "2d3h",
 * "30d", "2y15d", "8y". Up to 2 s in the future counts as "0s" (clock skew); further is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = per(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = per(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = per(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${per(hours, 24)}d` : `${per(hours, 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${per(hours, 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = per(hours, 24) % 365;
    const y = per(hours, 24 * 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${per(hours, 24 * 365)}y`;
}

/** One unit only: "59s", "59m", "23h", "364d", "2y". */
export function shortHumanDuration(ms: number): string {
  const seconds = per(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = per(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = per(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${per(hours, 24)}d`;
  return `${per(hours, 24 * 365)}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when absent or unparsable. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  // Go's zero time (0001-01-01T00:00:00Z) is "unset" for metav1.Time
  if (Number.isNaN(t) || t === Date.parse('0001-01-01T00:00:00Z')) return undefined;
  return t;
}

/** Age of a timestamp: "<unknown>" when unset, "<invalid>" when well in the future. */
export function translateTimestampSince(ts: unknown, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}
