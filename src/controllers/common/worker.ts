// The worker loop every queue-driven controller runs (client-go's processNextWorkItem): take a key,
// sync it, forget it on success or requeue it with per-item backoff on error, always mark it done.
import type { RateLimitingQueue } from '../../client/workqueue.js';

export function runWorkers(queue: RateLimitingQueue, workers: number, sync: (key: string) => Promise<void>,
  onError: (key: string, err: Error) => void): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        onError(key, err as Error);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, workers) }, worker)).then(() => undefined);
}
