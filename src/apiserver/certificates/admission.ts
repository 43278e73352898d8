// Admission for CertificateSigningRequests, as upstream's plugins of the same names:
// CertificateApproval (approving or denying needs `approve` on signers/<signerName>),
// CertificateSigning (setting status.certificate needs `sign`), CertificateSubjectRestriction
// (no system:masters client certificates from the kube-apiserver-client signer).
import { StatusError, qualifiedResource } from '../../machinery/errors.js';
import type { KObject } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin, Authorizer } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import { parseCertificateRequest } from '../../pki/csr.js';
import { requestPEM } from './strategy.js';

const GROUP = 'certificates.k8s.io';
const isCSR = (a: AdmissionAttributes) => a.type.group === GROUP && a.type.resource === 'certificatesigningrequests';
const signerOf = (o: KObject | undefined) => (o?.spec as { signerName?: string } | undefined)?.signerName ?? '';

function forbidden(a: AdmissionAttributes, message: string): StatusError {
  const name = a.name || a.object?.metadata?.name || '';
  return new StatusError(403, 'Forbidden', `${qualifiedResource(a.type.group, a.type.resource)} "${name}" is forbidden: ${message}`,
    { name, group: a.type.group, kind: a.type.resource });
}

/**
 * Whether `user` may `verb` the signer: a rule naming the signer, or its `<domain>/*` wildcard
 * (upstream's certificates.IsAuthorizedForSignerName).
 */
export async function authorizedForSigner(authz: Authorizer | undefined, user: UserInfo, verb: string, signerName: string): Promise<boolean> {
  if (!authz) return true; // no authorizer configured: everything is allowed, as AlwaysAllow
  const ask = async (name: string) => (await authz.authorize({
    user, verb, isResourceRequest: true, path: '', apiGroup: GROUP, apiVersion: '*', namespace: '',
    resource: 'signers', subresource: '', name,
  })).decision === 'allow';
  if (await ask(signerName)) return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && ask(`${signerName.slice(0, slash)}/*`);
}

export function certificateApproval(authz: () => Authorizer | undefined): AdmissionPlugin {
  return {
    name: 'CertificateApproval',
    admit(a) {
      // the requester's identity is recorded on create (upstream does this in the CSR strategy)
      if (!isCSR(a) || a.operation !== 'CREATE' || a.subresource || !a.object) return;
      const spec = (a.object.spec ??= {}) as Record<string, unknown>;
      spec.username = a.user.name;
      if (a.user.uid) spec.uid = a.user.uid; else delete spec.uid;
      if (a.user.groups.length) spec.groups = [...a.user.groups]; else delete spec.groups;
      if (a.user.extra && Object.keys(a.user.extra).length) spec.extra = structuredClone(a.user.extra); else delete spec.extra;
    },
    async validate(a) {
      if (!isCSR(a) || a.operation !== 'UPDATE' || a.subresource !== 'approval') return;
      const signer = signerOf(a.object);
      if (!(await authorizedForSigner(authz(), a.user, 'approve', signer))) {
        throw forbidden(a, `user not permitted to approve requests with signerName "${signer}"`);
      }
    },
  };
}

export function certificateSigning(authz: () => Authorizer | undefined): AdmissionPlugin {
  return {
    name: 'CertificateSigning',
    async validate(a) {
      if (!isCSR(a) || a.operation !== 'UPDATE' || a.subresource !== 'status') return;
      const cert = (o: KObject | undefined) => (o?.status as { certificate?: string } | undefined)?.certificate ?? '';
      if (cert(a.object) === cert(a.oldObject)) return;
      const signer = signerOf(a.object);
      if (!(await authorizedForSigner(authz(), a.user, 'sign', signer))) {
        throw forbidden(a, `user not permitted to sign requests with signerName "${signer}"`);
      }
    },
  };
}

export function certificateSubjectRestriction(): AdmissionPlugin {
  return {
    name: 'CertificateSubjectRestriction',
    validate(a) {
      if (!isCSR(a) || a.operation !== 'CREATE' || a.subresource) return;
      if (signerOf(a.object) !== 'kubernetes.io/kube-apiserver-client') return;
      let orgs: string[];
      try { orgs = parseCertificateRequest(requestPEM(a.object!)).organizations; } catch { return; } // validation reports it
      if (orgs.includes('system:masters')) {
        throw forbidden(a, 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
      }
    },
  };
}
