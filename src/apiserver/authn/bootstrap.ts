// Bootstrap tokens (kubeadm join, kubelet TLS bootstrapping): `<id>.<secret>` is checked against
// the kube-system Secret `bootstrap-token-<id>` of type bootstrap.kubernetes.io/token. As upstream,
// anything wrong (no such Secret, wrong secret, expired, not for authentication, bad extra groups)
// makes the token unrecognised, which a request sees as a 401.
import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../../api/types.js';
import type { UserInfo } from '../http/types.js';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';
const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export type SecretGetter = (namespace: string, name: string) => Promise<KObject | undefined> | KObject | undefined;

/** A value of the Secret's data (base64) or, before defaulting, stringData. */
function secretValue(secret: KObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  if (data && typeof data[key] === 'string') return Buffer.from(data[key], 'base64').toString('utf8');
  const sd = secret.stringData as Record<string, string> | undefined;
  return sd && typeof sd[key] === 'string' ? sd[key] : undefined;
}

/** upstream bootstrapsecretutil.GetGroups: the default group plus validated extras, deduplicated and sorted */
export function bootstrapGroups(secret: KObject): string[] {
  const groups = new Set([BOOTSTRAP_DEFAULT_GROUP]);
  const extra = secretValue(secret, 'auth-extra-groups');
  if (extra) {
    for (const g of extra.split(',')) {
      if (!GROUP_RE.test(g)) throw new Error(`${JSON.stringify(g)} is not a valid bootstrap group name (must match ${GROUP_RE.source})`);
      groups.add(g);
    }
  }
  return [...groups].sort();
}

/** An unparsable expiration counts as expired, as upstream. */
export function bootstrapTokenExpired(secret: KObject, nowMs = Date.now()): boolean {
  const exp = secretValue(secret, 'expiration');
  if (!exp) return false;
  const t = Date.parse(exp);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(exp)) return true;
  return nowMs >= t;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The user for a bootstrap token, or undefined when it is not a valid one. */
export async function authenticateBootstrapToken(token: string, getSecret: SecretGetter, nowMs = Date.now()): Promise<UserInfo | undefined> {
  const m = TOKEN_RE.exec(token);
  if (!m) return undefined;
  const [, id, tokenSecret] = m;
  const secret = await getSecret('kube-system', `bootstrap-token-${id}`);
  if (!secret || secret.metadata?.deletionTimestamp) return undefined;
  if (secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  const stored = secretValue(secret, 'token-secret');
  if (stored === undefined || !sameSecret(stored, tokenSecret)) return undefined;
  if (secretValue(secret, 'token-id') !== id) return undefined;
  if (bootstrapTokenExpired(secret, nowMs)) return undefined;
  if (secretValue(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  let groups: string[];
  try { groups = bootstrapGroups(secret); } catch { return undefined; }
  return { name: `system:bootstrap:${id}`, groups };
}
