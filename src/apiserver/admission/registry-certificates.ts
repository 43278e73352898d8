// Admission plugins for the Certificates API: CertificateApproval, CertificateSigning,
// CertificateSubjectRestriction (src/apiserver/certificates/admission.ts).
import type { PluginFactory } from './plugins.js';
import { certificateApproval, certificateSigning, certificateSubjectRestriction } from '../certificates/admission.js';

export const certificatePlugins: Record<string, PluginFactory> = {
  CertificateApproval: (server) => certificateApproval(() => server().config.authorizer),
  CertificateSigning: (server) => certificateSigning(() => server().config.authorizer),
  CertificateSubjectRestriction: () => certificateSubjectRestriction(),
};
