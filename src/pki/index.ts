// Public surface of the PKI package: what `kumo server`, the apiserver's authenticator and the future
// `kumo pki` / `kumo kubeconfig` commands import.
export { createCA, loadCASigner, type CASigner, type CertKeyPair } from './ca.js';
export { issueCertificate, canonicalIP, checkDNSName, type CertificateRequest, type CertificateUsage } from './certs.js';
export { leafProblems, subjectOf, subjectAltNames, expiresAt, DEFAULT_RENEW_BEFORE_MS, type LeafExpectations } from './inspect.js';
export { identityFromCertificate, type CertificateIdentity, type PeerCertificateLike } from './identity.js';
export { buildKubeconfig, kubeconfigYAML, writeKubeconfig, type Kubeconfig, type KubeconfigOptions } from './kubeconfig.js';
export {
  ensureServerPKI,
  ensureCA,
  ensureLeafCertificate,
  ensureServiceAccountKey,
  writeAdminKubeconfig,
  apiserverSANs,
  pkiPaths,
  ADMIN_USER,
  ADMIN_GROUP,
  type ServerPKI,
  type ServerPKIOptions,
  type PKIPaths,
  type LeafSpec,
} from './cluster.js';
