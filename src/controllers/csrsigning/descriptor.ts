// How the controller manager starts the CSR signer: with the cluster CA handed over in-process by
// `kumo server`, or from --cluster-signing-cert-file/--cluster-signing-key-file as upstream.
import { readFileSync } from 'node:fs';
import type { ControllerContext, ControllerDescriptor } from '../manager/context.js';
import type { CertKeyPair } from '../../pki/ca.js';
import { CSRSigningController } from './controller.js';

function signingCA(ctx: ControllerContext): () => CertKeyPair {
  if (ctx.clusterCA) return ctx.clusterCA;
  const cert = String(ctx.flags['cluster-signing-cert-file'] ?? '');
  const key = String(ctx.flags['cluster-signing-key-file'] ?? '');
  if (!cert || !key) throw new Error('csrsigning needs --cluster-signing-cert-file and --cluster-signing-key-file');
  // re-read on every signing so a renewed CA on disk is picked up
  return () => ({ certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') });
}

export const descriptors: ControllerDescriptor[] = [{
  name: 'certificatesigningrequest-signing-controller',
  flags: [
    { name: 'cluster-signing-cert-file', type: 'string', default: '', help: 'PEM CA certificate used to issue cluster-scoped certificates' },
    { name: 'cluster-signing-key-file', type: 'string', default: '', help: 'PEM private key of that CA' },
  ],
  start: (ctx) => new CSRSigningController(ctx.client, ctx.factory, signingCA(ctx), ctx.log),
}];
