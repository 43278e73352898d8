// Public surface of the PKI package: what `kumo server`, the apiserver's authenticator and the
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
export {
  componentCertificates,
  kubeconfigCertificate,
  caFiles,
  checkNodeName,
  userFileName,
  isComponentKind,
  COMPONENT_KINDS,
  KUBECONFIG_KINDS,
  SCHEDULER_USER,
  CONTROLLER_MANAGER_USER,
  PROXY_USER,
  NODES_GROUP,
  NODE_USER_PREFIX,
  type CAName,
  type ComponentKind,
  type KubeconfigKind,
  type ComponentOptions,
  type ComponentCertificate,
} from './components.js';
export { initPKI, loadCA, issueComponent, issueCertificates, type InitOptions, type IssuedCertificate } from './issue.js';
export { startRenewal, DEFAULT_RENEWAL_INTERVAL_MS, type RenewalOptions } from './renewal.js';
export { parseCertificateRequest, verifyCertificateRequest, signCertificateRequest, type ParsedCertificateRequest, type SignOptions } from './csr.js';
