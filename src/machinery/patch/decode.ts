// Decoding a PATCH request body. Upstream answers undecodable patch bodies with 400 BadRequest
// carrying encoding/json's error text; this mirrors the common wordings.

import { badRequest } from '../errors.js';

/** encoding/json-like text for a JSON.parse failure. */
export function goSyntaxMessage(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (text.trim() === '' || /end of (JSON )?input|Unterminated string/i.test(msg)) return 'unexpected end of JSON input';
  let ch: string | undefined;
  const tok = /Unexpected token '?(.)'?/.exec(msg);
  if (tok) ch = tok[1];
  const at = /position (\d+)/.exec(msg);
  if (!ch && at) ch = text[Number(at[1])];
  return ch ? `invalid character '${ch}' looking for beginning of value` : msg;
}

/** Parses a patch body; malformed JSON is a 400 BadRequest (`prefix` as upstream adds for strict decoding). */
export function parsePatchBody(raw: string | Uint8Array, prefix = ''): unknown {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`${prefix}${goSyntaxMessage(text, e)}`);
  }
}
