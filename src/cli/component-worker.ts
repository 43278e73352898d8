// A control-plane component that `kumo server` runs in-process, on its own worker thread: the
// scheduler or the controller manager gets its own event loop (and a core of its own), so its work
// never delays the API server's requests, while everything stays one process and one binary. It
// talks to the API server as when run alone, but over the server's loopback socket (plain HTTP on
// a private Unix socket, the loopback token as credential) so neither side pays for TLS.
import { parentPort, workerData } from 'node:worker_threads';
import { componentUserAgent, RESTClient, type ClientConfig } from '../client/rest.js';
import { startInProcessControllerManager } from '../controllers/manager/inprocess.js';
import { startInProcessScheduler } from '../scheduler/inprocess.js';

export interface ComponentWorkerData {
  component: 'controller-manager' | 'scheduler';
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  identity: string;
  /** controller manager: --controllers and the cluster CA pair */
  controllers?: string;
  clusterCA?: { certPem: string; keyPem: string };
  /** scheduler: KubeSchedulerConfiguration text */
  schedulerConfig?: string;
  /** the server's loopback socket and token: plain HTTP, no TLS (the certificate is then unused) */
  loopback?: { socketPath: string; token: string };
}

/** messages from the server thread */
export type ComponentMessage =
  | { type: 'stop' }
  | { type: 'credentials'; certPem: string; keyPem: string; clusterCA?: { certPem: string; keyPem: string } };

const data = workerData as ComponentWorkerData;
const config: ClientConfig = data.loopback
  ? { server: 'http://localhost', socketPath: data.loopback.socketPath, token: data.loopback.token }
  : { server: data.server, ca: Buffer.from(data.caPem), cert: Buffer.from(data.certPem), key: Buffer.from(data.keyPem) };
const name = data.component === 'scheduler' ? 'kube-scheduler' : 'kube-controller-manager';
const client = new RESTClient(config, componentUserAgent(name));
let clusterCA = data.clusterCA;
const log = (m: string) => console.log(m);

const running = data.component === 'scheduler'
  ? startInProcessScheduler({ client, configText: data.schedulerConfig ?? '', identity: data.identity, log })
  : startInProcessControllerManager({ client, controllers: data.controllers ?? '*', clusterCA: () => clusterCA!, identity: data.identity, log });

parentPort!.on('message', (msg: ComponentMessage) => {
  if (msg.type === 'credentials') {
    if (!data.loopback) client.setCredentials(Buffer.from(msg.certPem), Buffer.from(msg.keyPem));
    if (msg.clusterCA) clusterCA = msg.clusterCA;
    return;
  }
  if (msg.type === 'stop') {
    void running.stop().finally(() => {
      client.close();
      parentPort!.postMessage({ type: 'stopped' });
      parentPort!.close();
    });
  }
});
