// How the controller manager starts the root CA publisher. The bundle is, in order: the CA the
// manager was given in-process (kumo server), --root-ca-file, or the CA of its own kubeconfig.
import { readFileSync } from 'node:fs';
import type { ControllerContext, ControllerDescriptor } from '../manager/context.js';
import { newRootCACertPublisher } from './controller.js';

function rootCA(ctx: ControllerContext): () => string {
  if (ctx.clusterCA) return () => ctx.clusterCA!().certPem;
  const file = String(ctx.flags['root-ca-file'] ?? '');
  const pem = file ? readFileSync(file, 'utf8') : ctx.client.config.ca?.toString('utf8');
  if (!pem) throw new Error('root-ca-cert-publisher needs --root-ca-file or a kubeconfig with certificate-authority data');
  return () => pem;
}

export const descriptors: ControllerDescriptor[] = [{
  name: 'root-ca-certificate-publisher-controller',
  flags: [{ name: 'root-ca-file', type: 'string', default: '', help: 'root CA bundle published as kube-root-ca.crt in every namespace (default: the kubeconfig\'s CA)' }],
  start: (ctx) => newRootCACertPublisher(ctx.client, ctx.factory, rootCA(ctx), ctx.log),
}];
