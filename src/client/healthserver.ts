// /healthz (/livez, /readyz) and /metrics for a component (scheduler, controller manager).
// Plain HTTP: upstream serves HTTPS with delegated authentication on --secure-port; Kumo binds
// it to loopback by default until that is added.
import http from 'node:http';

export function serveHealthAndMetrics(port: number, address: string, healthy: () => boolean,
  metrics: () => string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'ok' : 'not running');
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics());
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
