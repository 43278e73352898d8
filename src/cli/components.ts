// Starts the in-process components of `kumo server` (scheduler, controller manager) each on a
// worker thread (component-worker.ts), passes renewed credentials on, and stops them cleanly.
import { Worker } from 'node:worker_threads';
import type { ComponentMessage, ComponentWorkerData } from './component-worker.js';

export interface ComponentHandle {
  stop(): Promise<void>;
  updateCredentials(certPem: string, keyPem: string, clusterCA?: { certPem: string; keyPem: string }): void;
}

export function startComponent(data: ComponentWorkerData, log: (m: string) => void): ComponentHandle {
  const worker = new Worker(new URL('./component-worker.js', import.meta.url), { workerData: data });
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', (code) => {
    exited = true;
    if (code !== 0 && !stopping) log(`${data.component} stopped unexpectedly (exit ${code})`);
    resolve();
  }));
  let stopping = false;
  worker.on('error', (err) => log(`${data.component}: ${err.stack ?? err.message}`));
  const send = (m: ComponentMessage) => { if (!exited) worker.postMessage(m); };
  return {
    async stop() {
      if (exited) return;
      stopping = true;
      send({ type: 'stop' });
      // the component gives its Lease up first; after 3 s it is stopped regardless
      const t = setTimeout(() => void worker.terminate(), 3000);
      await exit;
      clearTimeout(t);
    },
    updateCredentials(certPem, keyPem, clusterCA) { send({ type: 'credentials', certPem, keyPem, clusterCA }); },
  };
}
