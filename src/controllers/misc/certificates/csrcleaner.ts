// The CSR cleaner (upstream's pkg/controller/certificates/cleaner, "csrcleaner"): once an hour, delete
// CertificateSigningRequests nobody needs any more — issued ones an hour after approval, denied and
// failed ones an hour after that condition, pending ones a day after creation, and any whose issued
// certificate has expired — so automatically created requests do not pile up.
import { APIError, type RESTClient } from '../../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../../client/informer.js';
import type { Controller } from '../../manager/context.js';
import { x509 } from '../../../pki/x509.js';
import { CSR_PATH, type CSR } from './csrapproving.js';

const HOUR = 3600_000;
export const APPROVED_EXPIRATION_MS = HOUR;
export const DENIED_EXPIRATION_MS = HOUR;
export const PENDING_EXPIRATION_MS = 24 * HOUR;

/** isOlderThan: a set timestamp more than `ms` before now */
const olderThan = (t: string | undefined, ms: number, now: number) => !!t && !Number.isNaN(Date.parse(t)) && now - Date.parse(t) > ms;

/** why a CSR is to be deleted, or undefined to keep it (throws when an issued certificate does not parse) */
export function cleanupReason(csr: CSR, now = Date.now()): string | undefined {
  const conds = csr.status?.conditions ?? [];
  const issued = !!csr.status?.certificate;
  if (issued && conds.some((c) => c.type === 'Approved')) {
    const pem = Buffer.from(csr.status!.certificate!, 'base64').toString('utf8');
    if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error('expected the certificate associated with the CSR to be PEM encoded');
    let notAfter: Date;
    try { notAfter = new x509.X509Certificate(pem).notAfter; } catch (e) { throw new Error(`unable to parse certificate data: ${(e as Error).message}`); }
    if (now > notAfter.getTime()) return 'the associated certificate is expired';
  }
  for (const c of conds) {
    if (c.type === 'Approved' && issued && olderThan(c.lastUpdateTime, APPROVED_EXPIRATION_MS, now)) return 'it is more than 1h0m0s old and approved';
    if (c.type === 'Denied' && olderThan(c.lastUpdateTime, DENIED_EXPIRATION_MS, now)) return 'it is more than 1h0m0s old and denied';
    if (c.type === 'Failed' && olderThan(c.lastUpdateTime, DENIED_EXPIRATION_MS, now)) return 'it is more than 1h0m0s old and failed';
  }
  if (conds.length === 0 && olderThan(csr.metadata.creationTimestamp, PENDING_EXPIRATION_MS, now)) return 'it is more than 24h0m0s old and unhandled';
  return undefined;
}

export class CSRCleanerController implements Controller {
  readonly name = 'csrcleaner';
  readonly queues = [];
  private readonly informer: SharedInformer<CSR & Obj>;
  private timer?: NodeJS.Timeout;
  private done?: () => void;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {},
    private readonly pollingMs = HOUR) {
    this.informer = factory.forPath<CSR & Obj>(CSR_PATH);
  }

  run(): Promise<void> {
    void this.pass();
    this.timer = setInterval(() => { void this.pass(); }, this.pollingMs);
    return new Promise((resolve) => { this.done = resolve; });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.done?.();
  }

  /** one sweep over every CSR in the cache */
  async pass(now = Date.now()): Promise<void> {
    for (const csr of this.informer.store.list()) {
      try {
        const why = cleanupReason(csr, now);
        if (!why) continue;
        this.log(`csrcleaner: cleaning CSR ${JSON.stringify(csr.metadata.name)} as ${why}`);
        try {
          await this.client.request('DELETE', `${CSR_PATH}/${encodeURIComponent(csr.metadata.name)}`);
        } catch (e) {
          if (!(e instanceof APIError && e.code === 404)) throw new Error(`unable to delete CSR ${JSON.stringify(csr.metadata.name)}: ${(e as Error).message}`);
        }
      } catch (e) {
        this.log(`csrcleaner: error while attempting to clean CSR ${JSON.stringify(csr.metadata.name)}: ${(e as Error).message}`);
      }
    }
  }
}
