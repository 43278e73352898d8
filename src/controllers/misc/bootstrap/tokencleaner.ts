// The bootstrap token cleaner (upstream's pkg/controller/bootstrap/tokencleaner.go, "tokencleaner",
// off by default): deletes bootstrap token Secrets in kube-system once their `expiration` has passed,
// with a UID precondition so a re-created Secret of the same name survives; a token not yet expired is
// looked at again when it expires.
import { APIError, type RESTClient } from '../../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../../client/informer.js';
import { metaKey } from '../../../client/informer.js';
import { RateLimitingQueue } from '../../../client/workqueue.js';
import { runWorkers } from '../../common/worker.js';
import type { Controller } from '../../manager/context.js';
import { BOOTSTRAP_TOKEN_TYPE, TOKEN_SECRETS_PATH, expirationOf, hasExpired, type Secret } from './tokens.js';

export class TokenCleaner implements Controller {
  readonly name = 'tokencleaner';
  readonly queue = new RateLimitingQueue('token_cleaner');
  readonly queues = [this.queue];
  private readonly secrets: SharedInformer<Secret & Obj>;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {},
    private readonly now: () => number = Date.now) {
    this.secrets = factory.forPath<Secret & Obj>(TOKEN_SECRETS_PATH);
    const enqueue = (s: Secret & Obj) => this.queue.add(metaKey(s));
    this.secrets.addEventHandler({ add: enqueue, update: (_o, s) => enqueue(s) });
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k), (k, e) => this.log(`tokencleaner: ${k}: ${e.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async sync(key: string): Promise<void> {
    const s = this.secrets.store.get(key);
    if (!s || s.type !== BOOTSTRAP_TOKEN_TYPE) return;
    const now = this.now();
    if (!hasExpired(s, now)) {
      const exp = expirationOf(s);
      if (exp !== undefined) this.queue.addAfter(key, exp - now);
      return;
    }
    this.log(`tokencleaner: deleting expired secret ${key}`);
    try {
      await this.client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(s.metadata.namespace ?? '')}/secrets/${encodeURIComponent(s.metadata.name)}`,
        { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: s.metadata.uid } });
    } catch (e) {
      if (!(e instanceof APIError && (e.code === 404 || e.code === 409))) throw e;
    }
  }
}
