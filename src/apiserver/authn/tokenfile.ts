// --token-auth-file: static bearer tokens in upstream's CSV format, one per line:
//   token,user,uid,"group1,group2"
// At least three columns; a fourth holds comma-separated groups. Lines with an empty token are
// skipped, a later duplicate token wins (as upstream). A malformed file stops the server at start.
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../http/types.js';

/** Parse CSV as Go's encoding/csv with TrimLeadingSpace and variable field counts. */
export function parseCSV(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    // skip empty lines
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      let value = '';
      if (text[i] === '"') {
        const col = i;
        i++;
        for (;;) {
          if (i >= n) throw new Error(`parse error on line ${startLine}, column ${col + 1}: extraneous or missing " in quoted-field`);
          if (text[i] === '"') {
            if (text[i + 1] === '"') { value += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (text[i] === '\n') line++;
          value += text[i++];
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          throw new Error(`parse error on line ${line}: extraneous or missing " in quoted-field`);
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') throw new Error(`parse error on line ${line}: bare " in non-quoted-field`);
          value += text[i++];
        }
        if (value.endsWith('\r') && i >= n) value = value.slice(0, -1);
      }
      fields.push(value);
      if (i < n && text[i] === ',') { i++; continue; }
      break;
    }
    if (i < n) { i += text[i] === '\r' ? 2 : 1; line++; }
    rows.push({ line: startLine, fields });
  }
  return rows;
}

/** token → user (without system:authenticated, which the token chain adds). */
export function parseTokenFile(text: string, path = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  let rows;
  try { rows = parseCSV(text); } catch (err) { throw new Error(`token file '${path}': ${(err as Error).message}`); }
  for (const { fields } of rows) {
    if (fields.length < 3) {
      throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    }
    const [token, name, uid, groups] = fields;
    if (!token) continue;
    const user: UserInfo = { name, groups: groups !== undefined ? groups.split(',').filter(Boolean) : [] };
    if (uid) user.uid = uid;
    tokens.set(token, user);
  }
  return tokens;
}

export function loadTokenFile(path: string): Map<string, UserInfo> {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (err) {
    throw new Error(`--token-auth-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseTokenFile(text, path);
}

/** Look a token up without leaking, through timing, how much of it matched a known one. */
export function tokenFileLookup(tokens: Map<string, UserInfo>): (token: string) => UserInfo | undefined {
  const entries = [...tokens].map(([t, u]) => [Buffer.from(t), u] as const);
  return (token) => {
    const b = Buffer.from(token);
    let found: UserInfo | undefined;
    for (const [t, u] of entries) if (t.length === b.length && timingSafeEqual(t, b)) found = u;
    return found;
  };
}
