// ClusterIP allocation from --service-cluster-ip-range (IPv4), as upstream's bitmap allocator:
// the network and broadcast addresses are never handed out; the first usable IP belongs to the
// `kubernetes` Service. State is rebuilt from the stored Services at start.
import { StatusError } from '../../machinery/errors.js';

export class IPAllocator {
  readonly base: number;
  readonly size: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(readonly cidr: string) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`invalid --service-cluster-ip-range ${JSON.stringify(cidr)}: expected an IPv4 CIDR such as 10.96.0.0/12`);
    const bits = Number(m[2]);
    if (bits < 8 || bits > 30) throw new Error(`invalid --service-cluster-ip-range ${cidr}: prefix must be between /8 and /30`);
    const ip = ipToInt(m[1]);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    this.base = (ip & mask) >>> 0;
    this.size = 2 ** (32 - bits);
  }

  /** n-th usable address (0 = the first, which is the kubernetes Service) */
  ipAt(n: number): string { return intToIP(this.base + 1 + n); }

  contains(ip: string): boolean {
    const v = ipToIntOrNaN(ip);
    return !Number.isNaN(v) && v > this.base && v < this.base + this.size - 1;
  }

  /** reserve a specific IP; throws 422-style message text on failure */
  allocate(ip: string): void {
    if (!this.contains(ip)) throw new Error(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
    const v = ipToInt(ip);
    if (this.used.has(v)) throw new Error(`failed to allocate IP ${ip}: provided IP is already allocated`);
    this.used.add(v);
  }

  /** mark as used without checks (rebuilding state from storage) */
  markUsed(ip: string): void {
    if (this.contains(ip)) this.used.add(ipToInt(ip));
  }

  allocateNext(): string {
    const usable = this.size - 2;
    for (let i = 0; i < usable; i++) {
      const n = (this.next + i) % usable;
      const v = this.base + 1 + n;
      if (n === 0) continue; // reserved for the kubernetes Service
      if (!this.used.has(v)) {
        this.used.add(v);
        this.next = n + 1;
        return intToIP(v);
      }
    }
    throw new StatusError(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full');
  }

  release(ip: string): void {
    if (this.contains(ip)) this.used.delete(ipToInt(ip));
  }
}

function ipToIntOrNaN(ip: string): number {
  const p = ip.split('.');
  if (p.length !== 4) return NaN;
  let v = 0;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || Number(x) > 255) return NaN;
    v = v * 256 + Number(x);
  }
  return v;
}

function ipToInt(ip: string): number {
  const v = ipToIntOrNaN(ip);
  if (Number.isNaN(v)) throw new Error(`invalid IP address ${ip}`);
  return v;
}

function intToIP(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** NodePort allocation from 30000-32767 (--service-node-port-range default). */
export class PortAllocator {
  private readonly used = new Set<number>();
  constructor(readonly min = 30000, readonly max = 32767) {}
  allocate(p: number): void {
    if (p < this.min || p > this.max) throw new Error(`provided port is not in the valid range. The range of valid ports is ${this.min}-${this.max}`);
    if (this.used.has(p)) throw new Error(`provided port is already allocated`);
    this.used.add(p);
  }
  markUsed(p: number): void { this.used.add(p); }
  allocateNext(): number {
    const span = this.max - this.min + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = this.min + ((start + i) % span);
      if (!this.used.has(p)) { this.used.add(p); return p; }
    }
    throw new StatusError(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }
  release(p: number): void { this.used.delete(p); }
}
