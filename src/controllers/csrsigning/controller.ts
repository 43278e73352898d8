// The CSR signing controller (upstream's csrsigning in kube-controller-manager): for approved
// CertificateSigningRequests of the kubernetes.io signers it serves, check the signer's rules and
// either issue the certificate with the cluster CA (status.certificate through /status) or add a
// Failed condition (reason SignerValidationFailure). Denied, failed and issued requests are left alone.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { runWorkers } from '../common/worker.js';
import type { Controller } from '../manager/context.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { loadCASigner, type CASigner, type CertKeyPair } from '../../pki/ca.js';
import { parseCertificateRequest, signCertificateRequest } from '../../pki/csr.js';
import { SIGNERS, signerRejection, signingDurationMs } from './signers.js';

const PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export interface CSR {
  apiVersion?: string; kind?: string;
  metadata: { name: string; resourceVersion?: string };
  spec: { request: string; signerName: string; usages?: string[]; expirationSeconds?: number };
  status?: { certificate?: string; conditions?: { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string }[] };
}

/** What the controller should do with a CSR: nothing, or sign it. */
export function needsSigning(csr: CSR): boolean {
  if (!SIGNERS.includes(csr.spec?.signerName)) return false;
  if (csr.status?.certificate) return false;
  const conds = csr.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  return has('Approved') && !has('Denied') && !has('Failed');
}

/**
 * Signs or fails one CSR in memory: returns the status to write, or undefined when nothing is to be done.
 * Exported for unit tests; the controller writes the result through /status.
 */
export async function decide(csr: CSR, ca: CASigner, maxDurationMs?: number, now = new Date()): Promise<CSR['status'] | undefined> {
  if (!needsSigning(csr)) return undefined;
  const usages = csr.spec.usages ?? [];
  const fail = (message: string) => ({
    ...csr.status,
    conditions: [...(csr.status?.conditions ?? []), {
      type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message,
      lastUpdateTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }],
  });
  let req;
  try {
    req = parseCertificateRequest(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
  } catch (e) {
    return fail(`unable to parse csr "${csr.metadata.name}": ${(e as Error).message}`);
  }
  const why = signerRejection(csr.spec.signerName, req, usages);
  if (why) return fail(why);
  const pem = await signCertificateRequest(ca, req, {
    usages, durationMs: signingDurationMs(csr.spec.expirationSeconds, maxDurationMs), now,
  });
  return { ...csr.status, certificate: Buffer.from(pem).toString('base64') };
}

export class CSRSigningController implements Controller {
  readonly name = 'csrsigning';
  private readonly queue = new RateLimitingQueue('csrsigning');
  readonly queues = [this.queue];
  private readonly informer: SharedInformer<CSR & Obj>;
  private signer?: { pem: string; signer: CASigner };

  /** `ca` is read on every signing so a renewed CA pair is picked up. */
  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly ca: () => CertKeyPair,
    private readonly log: (msg: string) => void = () => {}) {
    this.informer = factory.forPath<CSR & Obj>(PATH);
    const observe = (csr: CSR) => { if (needsSigning(csr)) this.queue.add(csr.metadata.name); };
    this.informer.addEventHandler({ add: observe, update: (_o, csr) => observe(csr) });
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, async (name) => {
      const csr = this.informer.store.get(name);
      if (csr) await this.sync(csr);
    }, (name, err) => this.log(`csrsigning controller: ${name}: ${err.message}`));
  }

  private async caSigner(): Promise<CASigner> {
    const pair = this.ca();
    if (this.signer?.pem !== pair.certPem) this.signer = { pem: pair.certPem, signer: await loadCASigner(pair) };
    return this.signer.signer;
  }

  async sync(csr: CSR): Promise<void> {
    const status = await decide(csr, await this.caSigner());
    if (!status) return;
    await this.client.request('PUT', `${PATH}/${csr.metadata.name}/status`, {
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest',
      metadata: { name: csr.metadata.name, resourceVersion: csr.metadata.resourceVersion }, spec: csr.spec, status,
    });
    this.log(status.certificate ? `csrsigning controller: issued ${csr.metadata.name}` : `csrsigning controller: ${csr.metadata.name} failed signer validation`);
  }

  stop(): void { this.queue.shutDown(); }
}
