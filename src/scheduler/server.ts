// /healthz and /metrics for the scheduler. Plain HTTP (upstream serves HTTPS with delegated
// authentication on --secure-port); Kumo binds it to loopback by default until that is added.
import http from 'node:http';
import type { Metrics } from './metrics.js';

export function serveHealthAndMetrics(metrics: Metrics, port: number, address: string, healthy: () => boolean): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'ok' : 'not running');
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics.render());
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
}
