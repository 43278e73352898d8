// Bootstrap token Secrets as the bootstrap controllers read them (upstream bootstrapsecretutil):
// kube-system Secrets of type bootstrap.kubernetes.io/token named bootstrap-token-<id>.
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const TOKEN_SECRET_NAMESPACE = 'kube-system';
export const TOKEN_SECRETS_PATH = `/api/v1/namespaces/${TOKEN_SECRET_NAMESPACE}/secrets?fieldSelector=${encodeURIComponent(`type=${BOOTSTRAP_TOKEN_TYPE}`)}`;

export interface Secret {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
  type?: string;
  data?: Record<string, string>;
}

const ID_RE = /^[a-z0-9]{6}$/;
const SECRET_RE = /^[a-z0-9]{16}$/;

export function secretData(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** the expiration time in ms, NaN when unparsable, undefined when the token never expires */
export function expirationOf(s: Secret): number | undefined {
  const exp = secretData(s, 'expiration');
  if (exp === undefined) return undefined;
  return Date.parse(exp);
}

/** HasExpired: an unparsable expiration counts as expired */
export function hasExpired(s: Secret, now = Date.now()): boolean {
  const exp = expirationOf(s);
  if (exp === undefined) return false;
  return Number.isNaN(exp) || now >= exp;
}

/** validateSecretForSigning: the token id and secret of a well-formed, unexpired signing token */
export function tokenForSigning(s: Secret, now = Date.now()): { id: string; secret: string } | undefined {
  if (s.type !== BOOTSTRAP_TOKEN_TYPE) return undefined;
  const id = secretData(s, 'token-id') ?? '';
  if (!ID_RE.test(id) || s.metadata.name !== `bootstrap-token-${id}`) return undefined;
  const secret = secretData(s, 'token-secret') ?? '';
  if (!SECRET_RE.test(secret)) return undefined;
  if (hasExpired(s, now)) return undefined;
  if (secretData(s, 'usage-bootstrap-signing') !== 'true') return undefined;
  return { id, secret };
}
