// Key-range helpers shared by the backends. A prefix range is [prefix, prefixEnd(prefix)), as etcd's
// WithPrefix: the end is the prefix with its last unit incremented, so "/a/" never matches "/ab".
// Kubernetes keys are ASCII, where UTF-16 order (JS) and UTF-8 byte order (SQLite BINARY) agree.

/** Exclusive upper bound of the keys starting with prefix; undefined = no bound (empty prefix). */
export function prefixEnd(prefix: string): string | undefined {
  let p = prefix;
  while (p.length > 0) {
    const last = p.charCodeAt(p.length - 1);
    if (last < 0xffff) return p.slice(0, -1) + String.fromCharCode(last + 1);
    p = p.slice(0, -1);
  }
  return undefined;
}

/** Lower bound of a range read: the later of prefix and startKey. */
export function rangeStart(prefix: string, startKey: string | undefined): string {
  return startKey !== undefined && startKey > prefix ? startKey : prefix;
}

export function hasPrefix(key: string, prefix: string, end: string | undefined): boolean {
  return key >= prefix && (end === undefined || key < end);
}
