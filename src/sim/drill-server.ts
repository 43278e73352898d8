// The simulator's drill API: a small loopback HTTP endpoint to fail and recover nodes while it runs
// (the churn bench uses it), instead of restarting with other --fail-nodes lists.
//   GET  /drills                 → {"failed":[…],"notReady":[…],"stats":{…}}
//   POST /fail?nodes=a,b         kubelets die: no Lease renewals, status reports or pod updates
//   POST /recover?nodes=a,b      kubelets come back (and report Ready again)
//   POST /not-ready?nodes=a,b    keep heartbeating but report Ready=False
// Answers JSON; 404 names the unknown nodes (nothing is changed then), 400 a missing list.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeSimulator } from './simulator.js';

type Drill = 'fail' | 'recover' | 'not-ready';
const DRILLS: Drill[] = ['fail', 'recover', 'not-ready'];

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const data = JSON.stringify(body) + '\n';
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

/** `host:port` → listening server; resolves with the URL it serves on. */
export async function startDrillServer(sim: NodeSimulator, address: string): Promise<{ url: string; close(): void }> {
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : '127.0.0.1';
  const port = Number(colon >= 0 ? address.slice(colon + 1) : address);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid argument "${address}" for "--drill-address" flag: expected host:port`);
  const server = http.createServer((req, res) => {
    handle(sim, req).then(([code, body]) => send(res, code, body), (err: Error) => send(res, 500, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return { url: `http://${shown}:${a.port}`, close: () => server.close() };
}

async function handle(sim: NodeSimulator, req: http.IncomingMessage): Promise<[number, unknown]> {
  const u = new URL(req.url ?? '/', 'http://drill');
  const what = u.pathname.slice(1);
  if (what === 'drills') {
    if (req.method !== 'GET') return [405, { error: `${req.method} not allowed on /drills` }];
    return [200, { ...sim.drills(), stats: sim.stats() }];
  }
  if (!DRILLS.includes(what as Drill)) return [404, { error: `no such drill "${u.pathname}": use /fail, /recover, /not-ready or /drills` }];
  if (req.method !== 'POST') return [405, { error: `${req.method} not allowed on ${u.pathname}` }];
  const names = (u.searchParams.get('nodes') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) return [400, { error: 'nodes=a,b,… is required' }];
  const unknown = names.filter((n) => !sim.nodes.has(n));
  if (unknown.length) return [404, { error: `not simulated here: ${unknown.join(', ')}` }];
  for (const n of names) {
    if (what === 'fail') sim.failNode(n);
    else if (what === 'not-ready') sim.setReady(n, false);
    else await sim.recoverNode(n);
  }
  return [200, sim.drills()];
}
