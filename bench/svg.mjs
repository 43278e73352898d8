// A tiny dependency-free SVG line chart for bench results: one or more series of [x, y] points on
// linear axes with "nice" ticks, a legend, and optional dashed horizontal reference lines (SLOs).
// lineChart({ title, xLabel, yLabel, series: [{ name, points }], refs: [{ y, label }] }) → SVG text.

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** about `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps) */
export function niceTicks(lo, hi, count = 6) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1] < hi) out.push(Number((out[out.length - 1] + step).toPrecision(12)));
  return out;
}

const fmt = (v) => (Math.abs(v) >= 10_000 ? `${Number((v / 1000).toPrecision(6))}k` : String(Number(v.toPrecision(6))));

export function lineChart({ title = '', xLabel = '', yLabel = '', series = [], refs = [], width = 760, height = 420 }) {
  const m = { l: 70, r: 20, t: 40, b: 50 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = [...pts.map((p) => p[1]), ...refs.map((r) => r.y)];
  const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1);
  const yt = niceTicks(Math.min(0, ...(ys.length ? ys : [0])), ys.length ? Math.max(...ys) : 1);
  const [x0, x1, y0, y1] = [xt[0], xt[xt.length - 1], yt[0], yt[yt.length - 1]];
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const X = (x) => (m.l + ((x - x0) / (x1 - x0 || 1)) * w).toFixed(1);
  const Y = (y) => (m.t + h - ((y - y0) / (y1 - y0 || 1)) * h).toFixed(1);
  const o = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`];
  for (const t of yt) o.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e5e5"/><text x="${m.l - 6}" y="${Y(t)}" dy="4" text-anchor="end">${fmt(t)}</text>`);
  for (const t of xt) o.push(`<line y1="${m.t}" y2="${m.t + h}" x1="${X(t)}" x2="${X(t)}" stroke="#f0f0f0"/><text x="${X(t)}" y="${m.t + h + 16}" text-anchor="middle">${fmt(t)}</text>`);
  o.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#444"/>`);
  o.push(`<text x="${m.l + w / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  o.push(`<text transform="translate(16 ${m.t + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  for (const r of refs) o.push(`<line x1="${m.l}" x2="${m.l + w}" y1="${Y(r.y)}" y2="${Y(r.y)}" stroke="#888" stroke-dasharray="6 4"/><text x="${m.l + w - 4}" y="${Y(r.y)}" dy="-4" text-anchor="end" fill="#666">${esc(r.label ?? '')}</text>`);
  series.forEach((s, i) => {
    const c = s.color ?? COLORS[i % COLORS.length];
    const good = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (good.length) o.push(`<polyline fill="none" stroke="${c}" stroke-width="1.6" points="${good.map(([x, y]) => `${X(x)},${Y(y)}`).join(' ')}"/>`);
    o.push(`<rect x="${m.l + 10}" y="${m.t + 8 + i * 16}" width="12" height="3" fill="${c}"/><text x="${m.l + 28}" y="${m.t + 13 + i * 16}">${esc(s.name)}</text>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}
