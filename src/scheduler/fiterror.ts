// upstream FitError.Error(): "0/N nodes are available: <prefilter msg>. | <sorted reason histogram>." then the PostFilter message.
import type { Status } from './types.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function fitErrorMessage(numAllNodes: number, statuses: Map<string, Status>, preFilterMsg = '', postFilterMsg = ''): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const st of statuses.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    // sorted as strings "COUNT REASON", exactly as upstream's sort.Strings
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}
