// Sets of field paths (structured-merge-diff's fieldpath.Set) and their FieldsV1 encoding.
// A path element is kept in its FieldsV1 spelling, which is also a cheap map key:
//   f:<field name>   k:<JSON object of the list-map key fields, names sorted>   v:<JSON value>   i:<index>
// A node's own path is a member when it is owned itself (FieldsV1 writes it as ".": {}), children hold
// the owned paths below it. Children are never empty.

export type PathElement = string;
export type Path = PathElement[];

export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  isEmpty(): boolean { return this.members.size === 0 && this.children.size === 0; }

  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let c = s.children.get(path[i]);
      if (!c) { c = new FieldSet(); s.children.set(path[i], c); }
      s = c;
    }
    s.members.add(path[path.length - 1]);
  }

  has(path: Path): boolean {
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.children.get(path[i]);
    return !!s && s.members.has(path[path.length - 1]);
  }

  /** the subtree below one element (undefined when nothing is there) */
  child(pe: PathElement): FieldSet | undefined { return this.children.get(pe); }

  /** true when the element itself or anything below it is in the set */
  touches(pe: PathElement): boolean { return this.members.has(pe) || this.children.has(pe); }

  union(o: FieldSet): FieldSet {
    if (o.isEmpty()) return this;
    if (this.isEmpty()) return o;
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const m of o.members) out.members.add(m);
    for (const [pe, c] of this.children) { const oc = o.children.get(pe); out.children.set(pe, oc ? c.union(oc) : c); }
    for (const [pe, c] of o.children) if (!this.children.has(pe)) out.children.set(pe, c);
    return out;
  }

  /** members of this set that are not members of o */
  difference(o: FieldSet): FieldSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      const d = oc ? c.difference(oc) : c;
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    if (o.isEmpty() || this.isEmpty()) return out;
    for (const m of this.members) if (o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (!i.isEmpty()) out.children.set(pe, i);
    }
    return out;
  }

  /** removes every path that is in o or lies below a member of o (fieldpath's RecursiveDifference) */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.isEmpty() || this.isEmpty()) return this;
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      if (o.members.has(pe)) continue;
      const oc = o.children.get(pe);
      const d = oc ? c.recursiveDifference(oc) : c;
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this === o) return true;
    if (this.members.size !== o.members.size || this.children.size !== o.children.size) return false;
    for (const m of this.members) if (!o.members.has(m)) return false;
    for (const [pe, c] of this.children) { const oc = o.children.get(pe); if (!oc || !c.equals(oc)) return false; }
    return true;
  }

  /** member paths in upstream's iteration order: this level's members, then each child's (sorted) */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const m of [...this.members].sort(comparePathElements)) out.push([...prefix, m]);
    for (const pe of [...this.children.keys()].sort(comparePathElements)) out.push(...this.children.get(pe)!.paths([...prefix, pe]));
    return out;
  }

  /** the FieldsV1 JSON object: ".": {} first, then elements in path-element order */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = new Set<PathElement>([...this.members, ...this.children.keys()]);
    for (const pe of [...keys].sort(comparePathElements)) {
      const c = this.children.get(pe);
      if (!c) { out[pe] = {}; continue; }
      const inner = c.toFieldsV1();
      out[pe] = this.members.has(pe) ? { '.': {}, ...inner } : inner;
    }
    return out;
  }

  /** Decodes a FieldsV1 object; throws on anything that is not one. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('FieldsV1 must be an object');
    for (const [pe, inner] of Object.entries(v as Record<string, unknown>)) {
      if (pe === '.') continue;
      checkPathElement(pe);
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) throw new Error(`FieldsV1 element ${pe} must be an object`);
      const io = inner as Record<string, unknown>;
      const keys = Object.keys(io);
      if (keys.length === 0) { s.members.add(pe); continue; }
      if ('.' in io) s.members.add(pe);
      const c = FieldSet.fromFieldsV1(io);
      if (!c.isEmpty()) s.children.set(pe, c);
    }
    return s;
  }
}

function checkPathElement(pe: string): void {
  const t = pe.slice(0, 2);
  if (t === 'f:') return;
  if (t === 'i:' && /^i:\d+$/.test(pe)) return;
  if (t === 'k:' || t === 'v:') { JSON.parse(pe.slice(2)); return; }
  throw new Error(`unknown path element ${JSON.stringify(pe)}`);
}

export const fieldPE = (name: string): PathElement => `f:${name}`;
export const valuePE = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
export const indexPE = (i: number): PathElement => `i:${i}`;

/** k: element of a list-map item: its key fields, names in sorted order */
export function keyPE(item: Record<string, unknown>, keys: readonly string[]): PathElement {
  const names = keys.length > 1 ? [...keys].sort() : keys;
  let s = 'k:{';
  for (let i = 0; i < names.length; i++) s += (i ? ',' : '') + JSON.stringify(names[i]) + ':' + JSON.stringify(item[names[i]]);
  return s + '}';
}

const TYPE_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function valueRank(v: unknown): number {
  if (v === null) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a), rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return (a as number) - (b as number);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** structured-merge-diff's PathElement order: fields (by name) < keys < values < indices */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ta = TYPE_RANK[a[0]], tb = TYPE_RANK[b[0]];
  if (ta !== tb) return ta - tb;
  switch (a[0]) {
    case 'f': return a < b ? -1 : a > b ? 1 : 0;
    case 'i': return Number(a.slice(2)) - Number(b.slice(2));
    case 'v': return compareValues(JSON.parse(a.slice(2)), JSON.parse(b.slice(2)));
    default: {
      const ka = Object.entries(JSON.parse(a.slice(2)) as Record<string, unknown>);
      const kb = Object.entries(JSON.parse(b.slice(2)) as Record<string, unknown>);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        if (ka[i][0] !== kb[i][0]) return ka[i][0] < kb[i][0] ? -1 : 1;
        const c = compareValues(ka[i][1], kb[i][1]);
        if (c) return c;
      }
      return ka.length - kb.length;
    }
  }
}

/** a value as structured-merge-diff prints it in paths: strings quoted, the rest as JSON */
function valueString(v: unknown): string {
  return JSON.stringify(v);
}

/** upstream's Path.String(): .spec.template.spec.containers[name="nginx"].image */
export function pathString(path: Path): string {
  let s = '';
  for (const pe of path) {
    switch (pe[0]) {
      case 'f': s += '.' + pe.slice(2); break;
      case 'i': s += `[${pe.slice(2)}]`; break;
      case 'v': s += `[=${valueString(JSON.parse(pe.slice(2)))}]`; break;
      default: {
        const k = JSON.parse(pe.slice(2)) as Record<string, unknown>;
        s += '[' + Object.entries(k).map(([n, v]) => `${n}=${valueString(v)}`).join(',') + ']';
      }
    }
  }
  return s;
}

/** builds a set from dotted field paths (tests, ignored-field tables): 'spec.replicas', 'status' */
export function setOf(...paths: string[]): FieldSet {
  const s = new FieldSet();
  for (const p of paths) s.insert(p.split('.').map(fieldPE));
  return s;
}
