// Service-account tokens: RS256 JWTs signed with DATADIR/pki/sa.key, shaped like upstream's bound
// tokens (a `kubernetes.io` claim naming the namespace, the service account and the pod, secret or
// node the token is bound to). Validation checks signature, issuer, audience and expiry, then that
// the service account and the bound object still exist with the uids in the token — so a pod's
// token stops working once the pod is gone.
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, compactVerify, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import type { KObject } from '../../api/types.js';
import type { UserInfo } from '../http/types.js';
import type { TokenAuthenticator, TokenResult } from './token.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** upstream jwt.DefaultLeeway: clock skew tolerated on exp/nbf and on deletion times */
const LEEWAY_SECONDS = 60;

export type BoundKind = 'Pod' | 'Secret' | 'Node';
/** a stored object by resource, namespace and name (undefined: not there) */
export type ObjectGetter = (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string) => Promise<KObject | undefined> | KObject | undefined;

interface Ref { name: string; uid: string }
/** the private claim upstream puts under "kubernetes.io" */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
}

export interface ServiceAccountKeys {
  privateKey: KeyObject;
  publicKeys: { key: KeyObject; kid: string }[];
}

/** upstream keyIDFromPublicKey: unpadded base64url of the SHA-256 of the DER SubjectPublicKeyInfo */
export function keyID(pub: KeyObject): string {
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** Keys from PEM: the signing key and the public keys tokens are verified with (its own first). */
export function loadServiceAccountKeys(privateKeyPem: string, extraPublicKeyPems: string[] = []): ServiceAccountKeys {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('service-account signing key must be an RSA key');
  const pubs = [createPublicKey(privateKey), ...extraPublicKeyPems.map((p) => createPublicKey(p))];
  const seen = new Set<string>();
  const publicKeys: { key: KeyObject; kid: string }[] = [];
  for (const key of pubs) {
    const kid = keyID(key);
    if (!seen.has(kid)) { seen.add(kid); publicKeys.push({ key, kid }); }
  }
  return { privateKey, publicKeys };
}

/** The public JWKS served at /openid/v1/jwks. */
export function publicJWKS(keys: ServiceAccountKeys): { keys: JWK[] } {
  return {
    keys: keys.publicKeys.map(({ key, kid }) => {
      const jwk = key.export({ format: 'jwk' });
      return { use: 'sig', kty: jwk.kty, kid, alg: 'RS256', n: jwk.n, e: jwk.e };
    }),
  };
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/** the user a validated token (or an impersonated service account) acts as */
export function serviceAccountUser(k: KubernetesClaim, jti?: string): UserInfo {
  const extra: Record<string, string[]> = {};
  if (k.pod) { extra['authentication.kubernetes.io/pod-name'] = [k.pod.name]; extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid]; }
  if (k.node) { extra['authentication.kubernetes.io/node-name'] = [k.node.name]; extra['authentication.kubernetes.io/node-uid'] = [k.node.uid]; }
  if (jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${jti}`];
  return {
    name: serviceAccountUsername(k.namespace, k.serviceaccount.name),
    uid: k.serviceaccount.uid,
    groups: [...serviceAccountGroups(k.namespace), 'system:authenticated'],
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

export interface IssueRequest {
  serviceAccount: KObject;
  audiences: string[];
  expirationSeconds: number;
  bound?: { kind: BoundKind; object: KObject };
  /** for a pod-bound token: the pod's node, recorded as upstream does */
  node?: KObject;
}

const ref = (o: KObject): Ref => ({ name: o.metadata?.name ?? '', uid: String(o.metadata?.uid ?? '') });

export interface ServiceAccountTokenOptions {
  issuer: string;
  /** the API server's own audiences (--api-audiences; default: the issuer) */
  apiAudiences: string[];
  keys: ServiceAccountKeys;
  get: ObjectGetter;
  /** seconds since the epoch (tests move the clock) */
  now?: () => number;
}

export class ServiceAccountTokens implements TokenAuthenticator {
  readonly issuer: string;
  readonly apiAudiences: string[];
  readonly keys: ServiceAccountKeys;
  private readonly get: ObjectGetter;
  private readonly now: () => number;

  constructor(opts: ServiceAccountTokenOptions) {
    this.issuer = opts.issuer;
    this.apiAudiences = opts.apiAudiences;
    this.keys = opts.keys;
    this.get = opts.get;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Sign a bound token; returns it with its expiry (seconds since the epoch). */
  async issue(r: IssueRequest): Promise<{ token: string; exp: number }> {
    const sa = r.serviceAccount;
    const ns = sa.metadata?.namespace ?? '';
    const iat = this.now();
    const exp = iat + r.expirationSeconds;
    const k: KubernetesClaim = { namespace: ns, serviceaccount: ref(sa) };
    if (r.bound?.kind === 'Pod') {
      k.pod = ref(r.bound.object);
      if (r.node) k.node = ref(r.node);
    } else if (r.bound?.kind === 'Secret') k.secret = ref(r.bound.object);
    else if (r.bound?.kind === 'Node') k.node = ref(r.bound.object);
    const token = await new SignJWT({ 'kubernetes.io': k as unknown as Record<string, unknown> })
      .setProtectedHeader({ alg: 'RS256', kid: this.keys.publicKeys[0].kid })
      .setIssuer(this.issuer)
      .setSubject(serviceAccountUsername(ns, sa.metadata?.name ?? ''))
      .setAudience(r.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
    return { token, exp };
  }

  /**
   * undefined: not a token of this issuer (another authenticator may know it). Throws an Error
   * with upstream's wording when it is ours but not valid.
   */
  async authenticateToken(token: string, requestedAudiences?: string[]): Promise<TokenResult | undefined> {
    if (!this.hasOurIssuer(token)) return undefined;
    let header;
    try { header = decodeProtectedHeader(token); } catch { return undefined; }
    const candidates = header.kid ? this.keys.publicKeys.filter((k) => k.kid === header.kid) : this.keys.publicKeys;
    if (candidates.length === 0) throw new Error('invalid signature, no keys found');
    let payloadBytes: Uint8Array | undefined;
    for (const { key } of candidates) {
      try {
        payloadBytes = (await compactVerify(token, key, { algorithms: ['RS256'] })).payload;
        break;
      } catch { /* try the next key */ }
    }
    if (!payloadBytes) throw new Error('go-jose/go-jose: error in cryptographic primitive');
    let claims: Record<string, unknown>;
    try { claims = JSON.parse(Buffer.from(payloadBytes).toString('utf8')); } catch { throw new Error('service account token claims could not be validated due to unexpected validation error'); }
    if (claims.iss !== this.issuer) throw new Error(`token issuer ${JSON.stringify(claims.iss)} is invalid`);

    const tokenAuds = audiencesOf(claims.aud);
    const tokenAudiences = tokenAuds.length ? tokenAuds : this.apiAudiences;
    const requested = requestedAudiences ?? this.apiAudiences;
    const auds = tokenAudiences.filter((a) => requested.includes(a));
    if (auds.length === 0 && this.apiAudiences.length !== 0) {
      throw new Error(`token audiences ${goQuoted(tokenAudiences)} is invalid for the target audiences ${goQuoted(requested)}`);
    }
    const user = await this.validate(claims);
    return { user, audiences: auds };
  }

  /** upstream claims validator: time window, then the objects named in the token must still exist. */
  private async validate(claims: Record<string, unknown>): Promise<UserInfo> {
    const now = this.now();
    if (typeof claims.exp === 'number' && now > claims.exp + LEEWAY_SECONDS) throw new Error('service account token has expired');
    if (typeof claims.nbf === 'number' && now + LEEWAY_SECONDS < claims.nbf) throw new Error('service account token is not valid yet');
    if (typeof claims.iat === 'number' && now + LEEWAY_SECONDS < claims.iat) throw new Error('service account token issued in the future');
    const k = claims['kubernetes.io'] as KubernetesClaim | undefined;
    if (!k || typeof k !== 'object' || typeof k.namespace !== 'string' || !k.serviceaccount?.name) {
      throw new Error('service account token claims could not be validated due to unexpected private claim');
    }
    const ns = k.namespace;
    const deletedLongAgo = (o: KObject) => {
      const dt = o.metadata?.deletionTimestamp;
      return !!dt && Date.parse(dt) / 1000 < now - LEEWAY_SECONDS;
    };
    const sa = await this.get('serviceaccounts', ns, k.serviceaccount.name);
    if (!sa) throw new Error(`serviceaccounts ${JSON.stringify(k.serviceaccount.name)} not found`);
    if (deletedLongAgo(sa)) throw new Error(`service account ${ns}/${k.serviceaccount.name} has been deleted`);
    if (String(sa.metadata?.uid) !== k.serviceaccount.uid) {
      throw new Error(`service account UID (${sa.metadata?.uid}) does not match claim (${k.serviceaccount.uid})`);
    }
    if (k.secret) {
      const s = await this.get('secrets', ns, k.secret.name);
      if (!s || deletedLongAgo(s)) throw new Error('service account token has been invalidated');
      if (String(s.metadata?.uid) !== k.secret.uid) throw new Error(`secret UID (${s.metadata?.uid}) does not match service account secret ref claim (${k.secret.uid})`);
    }
    if (k.pod) {
      const p = await this.get('pods', ns, k.pod.name);
      if (!p || deletedLongAgo(p)) throw new Error('service account token has been invalidated');
      if (String(p.metadata?.uid) !== k.pod.uid) throw new Error(`pod UID (${p.metadata?.uid}) does not match service account pod ref claim (${k.pod.uid})`);
    }
    // a node recorded beside a pod is informational; a token bound to the node itself needs it alive
    if (k.node && !k.pod) {
      const n = await this.get('nodes', '', k.node.name);
      if (!n || deletedLongAgo(n)) throw new Error('service account token has been invalidated');
      if (String(n.metadata?.uid) !== k.node.uid) throw new Error(`node UID (${n.metadata?.uid}) does not match service account node ref claim (${k.node.uid})`);
    }
    return serviceAccountUser(k, typeof claims.jti === 'string' ? claims.jti : undefined);
  }

  /** compact JWS whose unverified payload names our issuer (anything else is not ours to judge) */
  private hasOurIssuer(token: string): boolean {
    if (token.trimStart().startsWith('{') || token.split('.').length !== 3) return false;
    try { return decodeJwt(token).iss === this.issuer; } catch { return false; }
  }
}

function audiencesOf(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** Go's %q of a []string: ["a" "b"] */
function goQuoted(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}
