// The kubernetes.io signers Kumo's signing controller serves, with upstream's rules for what each may
// sign (k8s.io/api certificates helpers and the signer's client usage check). A request that breaks
// them gets a Failed condition instead of a certificate.
import type { ParsedCertificateRequest } from '../../pki/csr.js';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const SIGNERS = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING];

const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

const sameSet = (a: string[], b: string[]) => new Set(a).size === b.length && b.every((x) => a.includes(x));
const sorted = (xs: string[]) => `[${[...xs].sort().join(' ')}]`;

const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET_CLIENT_USAGES_NO_RSA = ['digital signature', 'client auth'];
const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const KUBELET_SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];

function nodeSubject(req: ParsedCertificateRequest): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return 'subject organization is not system:nodes';
  return undefined;
}

/** Why `signerName` must not sign this request, or undefined when it may. */
export function signerRejection(signerName: string, req: ParsedCertificateRequest, usages: string[]): string | undefined {
  switch (signerName) {
    case KUBE_APISERVER_CLIENT: {
      let clientAuth = false;
      for (const u of usages) {
        if (u === 'client auth') clientAuth = true;
        else if (u !== 'digital signature' && u !== 'key encipherment') return `invalid usage for client certificate: ${u}`;
      }
      if (!clientAuth) return 'missing required usage for client certificate: client auth';
      return undefined;
    }
    case KUBE_APISERVER_CLIENT_KUBELET: {
      const bad = nodeSubject(req);
      if (bad) return bad;
      if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
      if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed';
      if (req.ipAddresses.length) return 'IP subjectAltNames are not allowed';
      if (req.uris.length) return 'URI subjectAltNames are not allowed';
      if (!req.commonName.startsWith(NODE_PREFIX)) return 'subject common name does not begin with system:node:';
      if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA)) {
        return `usages did not match ${sorted(KUBELET_CLIENT_USAGES)}`;
      }
      return undefined;
    }
    case KUBELET_SERVING: {
      const bad = nodeSubject(req);
      if (bad) return bad;
      if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
      if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed';
      if (req.uris.length) return 'URI subjectAltNames are not allowed';
      if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA)) {
        return `usages did not match ${sorted(KUBELET_SERVING_USAGES)}`;
      }
      if (!req.commonName.startsWith(NODE_PREFIX)) return 'subject common name does not begin with system:node:';
      return undefined;
    }
    default:
      return `unknown signer ${signerName}`;
  }
}

/** Default and maximum validity of issued certificates (upstream --cluster-signing-duration, 1 year). */
export const MAX_SIGNING_DURATION_MS = 365 * 24 * 3600 * 1000;

/** spec.expirationSeconds, capped at the signing duration (upstream's duration.go). */
export function signingDurationMs(expirationSeconds: number | undefined, maxMs = MAX_SIGNING_DURATION_MS): number {
  if (expirationSeconds === undefined || !Number.isFinite(expirationSeconds)) return maxMs;
  return Math.min(maxMs, Math.max(600, expirationSeconds) * 1000);
}
