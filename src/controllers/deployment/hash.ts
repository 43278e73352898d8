// The pod-template-hash (upstream controller.ComputeHash): FNV-32a over a canonical form of the pod
// template, plus the collision count when there is one, encoded with the same "safe" alphabet as
// upstream so names look alike (no vowels, no 0/1/3 — nothing that spells words). The value need not
// equal Go's (Go hashes its struct dump); it must only be stable for the same template.

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** JSON with sorted keys, without null/undefined values and empty lists (nil and empty are one value in Go). */
export function canonicalJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(o).sort()) {
      const x = o[k];
      if (x === null || x === undefined || (Array.isArray(x) && x.length === 0)) continue;
      if (isEmptyMap(k, x)) continue;
      parts.push(`${JSON.stringify(k)}:${canonicalJSON(x)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}

// string maps where Go's nil and {} are the same value; other empty objects (emptyDir: {}) are meaningful
const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector']);
function isEmptyMap(k: string, x: unknown): boolean {
  return MAP_FIELDS.has(k) && typeof x === 'object' && x !== null && Object.keys(x).length === 0;
}

export function fnv32a(bytes: Uint8Array, h = FNV_OFFSET): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: every character mapped into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHANUMS[s.charCodeAt(i) % SAFE_ALPHANUMS.length];
  return out;
}

/** computeHash(template, collisionCount): the pod-template-hash label value and the RS name suffix. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    // as upstream: the count's 4 bytes (little endian) fed into the same hasher
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}
