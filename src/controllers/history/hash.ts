// Revision hashing and naming (upstream pkg/controller/history HashControllerRevision,
// ControllerRevisionName, rand.SafeEncodeString): FNV-1 32-bit over the revision's data (canonical
// JSON, keys sorted as Go's encoder writes maps) plus the decimal collision count when given, printed
// in decimal and re-spelled with consonants and digits so no hash reads as a word.

const FNV32_OFFSET = 2166136261;
const FNV32_PRIME = 16777619;

/** FNV-1 (not 1a: multiply, then xor), as Go's hash/fnv New32. */
export function fnv32(bytes: Uint8Array): number {
  let h = FNV32_OFFSET;
  for (const b of bytes) h = (Math.imul(h, FNV32_PRIME) ^ b) >>> 0;
  return h >>> 0;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each character becomes ALPHANUMS[charCode % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted at every level (Go marshals maps that way), so equal data hashes equal. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

/**
 * HashControllerRevision: the hash of `data` (an object, hashed as canonical JSON, or the raw JSON
 * text itself) and, when given, the collision count (the probe).
 */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  const raw = typeof data === 'string' ? data : canonicalJSON(data);
  const enc = new TextEncoder();
  const probe = collisionCount === undefined ? '' : String(Math.trunc(collisionCount));
  const a = enc.encode(raw), b = enc.encode(probe);
  const bytes = new Uint8Array(a.length + b.length);
  bytes.set(a, 0);
  bytes.set(b, a.length);
  return safeEncodeString(String(fnv32(bytes)));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 bytes so the name fits 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}
