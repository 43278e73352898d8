// The bootstrap signer (upstream's pkg/controller/bootstrap/bootstrapsigner.go, "bootstrapsigner", off
// by default): the kube-public/cluster-info ConfigMap carries, for every valid bootstrap token meant for
// signing, a detached JWS of its `kubeconfig` under `jws-kubeconfig-<token-id>` (HS256, the token secret
// as key), so a joining node can trust the cluster CA it reads there. Stale signatures are removed.
import { createHmac } from 'node:crypto';
import type { RESTClient } from '../../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../../client/informer.js';
import { RateLimitingQueue } from '../../../client/workqueue.js';
import { runWorkers } from '../../common/worker.js';
import type { Controller } from '../../manager/context.js';
import { TOKEN_SECRETS_PATH, expirationOf, tokenForSigning, type Secret } from './tokens.js';

export const CONFIGMAP_NAMESPACE = 'kube-public';
export const CONFIGMAP_NAME = 'cluster-info';
export const KUBECONFIG_KEY = 'kubeconfig';
export const JWS_PREFIX = 'jws-kubeconfig-';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** ComputeDetachedSignature: "<protected header>..<signature>" of `content` with HS256 */
export function computeDetachedSignature(content: string, tokenID: string, tokenSecret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', kid: tokenID }));
  const sig = createHmac('sha256', tokenSecret).update(`${header}.${b64url(content)}`).digest();
  return `${header}..${b64url(sig)}`;
}

interface ConfigMap { metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: unknown }; data?: Record<string, string>; [k: string]: unknown }

/** the ConfigMap data with signatures for exactly `tokens`, or undefined when nothing changes */
export function signedData(cm: ConfigMap, tokens: { id: string; secret: string }[]): Record<string, string> | undefined {
  const content = cm.data?.[KUBECONFIG_KEY];
  if (content === undefined) return undefined;
  const data: Record<string, string> = {};
  const old = new Map<string, string>();
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    if (k.startsWith(JWS_PREFIX)) old.set(k.slice(JWS_PREFIX.length), v); else data[k] = v;
  }
  let changed = false;
  for (const t of tokens) {
    const sig = computeDetachedSignature(content, t.id, t.secret);
    if (old.get(t.id) !== sig) changed = true;
    old.delete(t.id);
    data[JWS_PREFIX + t.id] = sig;
  }
  if (old.size) changed = true;
  return changed ? data : undefined;
}

export class BootstrapSigner implements Controller {
  readonly name = 'bootstrapsigner';
  readonly queue = new RateLimitingQueue('bootstrap_signer_queue');
  readonly queues = [this.queue];
  private readonly configMaps: SharedInformer<ConfigMap & Obj>;
  private readonly secrets: SharedInformer<Secret & Obj>;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {},
    private readonly now: () => number = Date.now) {
    this.configMaps = factory.forPath<ConfigMap & Obj>(`/api/v1/namespaces/${CONFIGMAP_NAMESPACE}/configmaps`);
    this.secrets = factory.forPath<Secret & Obj>(TOKEN_SECRETS_PATH);
    const kick = () => this.queue.add('signer');
    this.configMaps.addEventHandler({ add: (c) => { if (c.metadata.name === CONFIGMAP_NAME) kick(); }, update: (_o, c) => { if (c.metadata.name === CONFIGMAP_NAME) kick(); } });
    this.secrets.addEventHandler({ add: kick, update: kick, delete: kick });
  }

  run(): Promise<void> {
    // one worker, as upstream: every change leads to one re-sign of the one ConfigMap
    return runWorkers(this.queue, 1, () => this.sync(), (_k, e) => this.log(`bootstrapsigner: ${e.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async sync(): Promise<void> {
    const cm = this.configMaps.store.get(`${CONFIGMAP_NAMESPACE}/${CONFIGMAP_NAME}`);
    if (!cm) return;
    const now = this.now();
    const valid = this.secrets.store.list().filter((s) => tokenForSigning(s, now));
    const tokens = valid.map((s) => tokenForSigning(s, now)!);
    // a signing token that expires takes its signature with it: look again then
    const next = Math.min(...valid.map((s) => expirationOf(s) ?? Infinity));
    if (Number.isFinite(next)) this.queue.addAfter('signer', next - now + 1000);
    const data = signedData(cm, tokens);
    if (!data) return;
    await this.client.request('PUT', `/api/v1/namespaces/${CONFIGMAP_NAMESPACE}/configmaps/${CONFIGMAP_NAME}`,
      { ...cm, apiVersion: 'v1', kind: 'ConfigMap', data });
  }
}
