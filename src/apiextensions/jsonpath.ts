// The JSONPath subset CRDs use: simple field paths (.spec.replicas) for scale and selectable
// fields, and kubectl-style template paths for printer columns (.status.conditions[?(@.type=="Ready")].status,
// [0], [*], ['a.b']).

/** ".spec.replicas" → ["spec", "replicas"]; undefined when not a plain field path */
export function parseSimplePath(p: string): string[] | undefined {
  if (!p.startsWith('.')) return undefined;
  const segs = p.slice(1).split('.');
  return segs.every((s) => /^[A-Za-z0-9_-]+$/.test(s)) ? segs : undefined;
}

export function getPath(obj: unknown, segs: string[]): unknown {
  let cur = obj;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** Sets a simple path, creating objects on the way (scale writes spec replicas). */
export function setPath(obj: Record<string, unknown>, segs: string[], v: unknown): void {
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    if (cur[s] === null || typeof cur[s] !== 'object' || Array.isArray(cur[s])) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]] = v;
}

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; op: string; value: unknown } };

function parseSteps(p: string): Step[] | undefined {
  const s = p.trim().replace(/^\{|\}$/g, '');
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      i++;
      const m = /^[A-Za-z0-9_-]*/.exec(s.slice(i))![0];
      if (m) steps.push({ field: m });
      i += m.length;
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) return undefined;
      const inner = s.slice(i + 1, end);
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else {
        const f = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))\)$/.exec(inner);
        if (!f) return undefined;
        const value = f[3] ?? f[4] ?? (f[5] !== undefined ? JSON.parse(f[5]) : undefined);
        steps.push({ filter: { path: f[1].slice(1).split('.'), op: f[2], value } });
      }
    } else return undefined;
  }
  return steps;
}

/** Every value the template path selects (kubectl's JSONPath; an empty list when nothing matches). */
export function evalJSONPath(obj: unknown, path: string): unknown[] {
  const steps = parseSteps(path);
  if (!steps) return [];
  let cur: unknown[] = [obj];
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in st) {
        if (v && typeof v === 'object' && !Array.isArray(v) && st.field in (v as object)) next.push((v as Record<string, unknown>)[st.field]);
      } else if ('index' in st) {
        if (Array.isArray(v)) { const x = v[st.index < 0 ? v.length + st.index : st.index]; if (x !== undefined) next.push(x); }
      } else if ('all' in st) {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const x of v) {
          const got = getPath(x, st.filter.path);
          const eq = got === st.filter.value || String(got) === String(st.filter.value);
          if (got !== undefined && (st.filter.op === '==' ? eq : !eq)) next.push(x);
        }
      }
    }
    cur = next;
  }
  return cur;
}
