// Label maps and selectors as upstream prints them in table cells
// (labels.FormatLabels, metav1.FormatLabelSelector, labels.Selector.String()).

export interface LabelSelectorRequirement { key?: string; operator?: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

/** "a=1,b=2" with keys sorted; "<none>" for an empty or missing map. */
export function formatLabels(labels: unknown): string {
  if (!labels || typeof labels !== 'object') return '<none>';
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${String((labels as Record<string, unknown>)[k])}`).join(',');
}

function requirementString(key: string, op: string, values: string[]): string | undefined {
  const vals = [...values].sort().join(',');
  switch (op) {
    case 'In': return `${key} in (${vals})`;
    case 'NotIn': return `${key} notin (${vals})`;
    case 'Exists': return key;
    case 'DoesNotExist': return `!${key}`;
    default: return undefined;
  }
}

/**
 * The selector in label-selector syntax ("app=web,tier in (a,b)"), requirements sorted by key;
 * "" for a missing or empty selector; undefined when an operator is not one upstream accepts.
 */
export function selectorString(sel: unknown): string | undefined {
  if (!sel || typeof sel !== 'object') return '';
  const s = sel as LabelSelector;
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of s.matchExpressions ?? []) {
    const key = e.key ?? '';
    const text = requirementString(key, e.operator ?? '', e.values ?? []);
    if (text === undefined) return undefined;
    reqs.push({ key, text });
  }
  // stable sort by key only, as upstream's ByKey
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(sel: unknown): string {
  const s = selectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
