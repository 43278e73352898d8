// The CSR approving controller (upstream's pkg/controller/certificates/approver, "csrapproving"): a
// pending kubelet client CSR (signer kube-apiserver-client-kubelet, a valid node client request) is
// approved when a SubjectAccessReview says its requester may create certificatesigningrequests/
// selfnodeclient (renewing its own identity) or /nodeclient (any node, e.g. a bootstrap token).
// Requests that match a recognizer but are not allowed come back with backoff, as upstream.
import type { RESTClient } from '../../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../../client/informer.js';
import { RateLimitingQueue } from '../../../client/workqueue.js';
import { runWorkers } from '../../common/worker.js';
import type { Controller } from '../../manager/context.js';
import { parseCertificateRequest, type ParsedCertificateRequest } from '../../../pki/csr.js';
import { KUBE_APISERVER_CLIENT_KUBELET, signerRejection } from '../../csrsigning/signers.js';

export const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export interface CSRCondition { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }
export interface CSR {
  metadata: { name: string; resourceVersion?: string; creationTimestamp?: string; [k: string]: unknown };
  spec: { request: string; signerName: string; usages?: string[]; username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]>; [k: string]: unknown };
  status?: { certificate?: string; conditions?: CSRCondition[] };
}

interface Recognizer {
  recognize(csr: CSR, req: ParsedCertificateRequest): boolean;
  subresource: string;
  successMessage: string;
}

export const isNodeClientCert = (csr: CSR, req: ParsedCertificateRequest): boolean =>
  csr.spec.signerName === KUBE_APISERVER_CLIENT_KUBELET && signerRejection(KUBE_APISERVER_CLIENT_KUBELET, req, csr.spec.usages ?? []) === undefined;

export const isSelfNodeClientCert = (csr: CSR, req: ParsedCertificateRequest): boolean =>
  csr.spec.username === req.commonName && isNodeClientCert(csr, req);

const RECOGNIZERS: Recognizer[] = [
  { recognize: isSelfNodeClientCert, subresource: 'selfnodeclient', successMessage: 'Auto approving self kubelet client certificate after SubjectAccessReview.' },
  { recognize: isNodeClientCert, subresource: 'nodeclient', successMessage: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
];

/** GetCertApprovalCondition: approved / denied */
export function approvalState(csr: CSR): { approved: boolean; denied: boolean } {
  const conds = csr.status?.conditions ?? [];
  return { approved: conds.some((c) => c.type === 'Approved'), denied: conds.some((c) => c.type === 'Denied') };
}

export class CSRApprovingController implements Controller {
  readonly name = 'csrapproving';
  readonly queue = new RateLimitingQueue('certificate');
  readonly queues = [this.queue];
  private readonly informer: SharedInformer<CSR & Obj>;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {}) {
    this.informer = factory.forPath<CSR & Obj>(CSR_PATH);
    const enqueue = (csr: CSR) => { if (!csr.status?.certificate) this.queue.add(csr.metadata.name); };
    this.informer.addEventHandler({ add: enqueue, update: (_o, c) => enqueue(c) });
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, async (name) => {
      const csr = this.informer.store.get(name);
      if (csr) await this.handle(csr);
    }, (name, err) => this.log(`csrapproving: sync ${name} failed with : ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async handle(csr: CSR): Promise<void> {
    if (csr.status?.certificate) return;
    const { approved, denied } = approvalState(csr);
    if (approved || denied) return;
    let req: ParsedCertificateRequest;
    try {
      req = parseCertificateRequest(Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8'));
    } catch (e) {
      throw new Error(`unable to parse csr ${JSON.stringify(csr.metadata.name)}: ${(e as Error).message}`);
    }
    const tried: string[] = [];
    for (const r of RECOGNIZERS) {
      if (!r.recognize(csr, req)) continue;
      tried.push(r.subresource);
      if (!(await this.authorize(csr, r.subresource))) continue;
      const conditions = [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.successMessage }];
      try {
        await this.client.request('PUT', `${CSR_PATH}/${encodeURIComponent(csr.metadata.name)}/approval`, {
          apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: csr.metadata, spec: csr.spec,
          status: { ...(csr.status ?? {}), conditions },
        });
      } catch (e) {
        throw new Error(`error updating approval for csr: ${(e as Error).message}`);
      }
      this.log(`csrapproving: approved ${csr.metadata.name} (${r.subresource})`);
      return;
    }
    if (tried.length) throw new Error(`recognized csr ${JSON.stringify(csr.metadata.name)} as [${tried.join(' ')}] but subject access review was not approved`);
  }

  private async authorize(csr: CSR, subresource: string): Promise<boolean> {
    const sar = await this.client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: {
        user: csr.spec.username, uid: csr.spec.uid, groups: csr.spec.groups, extra: csr.spec.extra,
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
      },
    });
    return sar.status?.allowed === true;
  }
}
