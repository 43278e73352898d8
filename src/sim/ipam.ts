// Address plans for the simulated nodes: node i gets the i-th /24 of --pod-cidr-base (what the
// node-ipam controller would assign), pod IPs come from that /24 (.2 upward; .1 is the bridge
// gateway as with host-local IPAM), and node InternalIPs come from a separate range.

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`invalid IPv4 address "${ip}"`);
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface CIDR { base: number; prefix: number }

export function parseCIDR(s: string): CIDR {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) throw new Error(`invalid CIDR address: ${s}`);
  const prefix = Number(m[2]);
  if (prefix > 32) throw new Error(`invalid CIDR address: ${s}`);
  const ip = ipToInt(m[1]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ip & mask) >>> 0, prefix };
}

export const formatCIDR = (c: CIDR): string => `${intToIP(c.base)}/${c.prefix}`;

/** The index-th /24 inside `base` (which must be /24 or wider). */
export function nodeCIDR(base: CIDR, index: number): string {
  if (base.prefix > 24) throw new Error(`--pod-cidr-base ${formatCIDR(base)}: must be /24 or wider`);
  const capacity = 2 ** (24 - base.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= capacity) {
    throw new Error(`--pod-cidr-base ${formatCIDR(base)} holds ${capacity} node /24s; node index ${index} does not fit (use a wider base, e.g. 10.0.0.0/8)`);
  }
  return formatCIDR({ base: base.base + index * 256, prefix: 24 });
}

/** InternalIP of node i: 172.16.0.0/12 holds about a million nodes, apart from the pod range. */
export function nodeInternalIP(index: number): string {
  const base = ipToInt('172.16.0.0');
  const size = 2 ** 20;
  if (index < 0 || index >= size - 2) throw new Error(`node index ${index} out of range for InternalIPs`);
  return intToIP(base + index + 1);
}

/** Pod IPs of one node's CIDR, handed out in turn (as host-local IPAM) and reused once freed. */
export class PodIPPool {
  private readonly cidr: CIDR;
  private readonly used = new Set<number>();
  private next: number;

  constructor(cidr: string) {
    this.cidr = parseCIDR(cidr);
    this.next = this.first();
  }

  private first(): number { return this.cidr.base + 2; }
  private last(): number { return this.cidr.base + 2 ** (32 - this.cidr.prefix) - 2; } // below broadcast

  contains(ip: string): boolean {
    let n: number;
    try { n = ipToInt(ip); } catch { return false; }
    return n >= this.cidr.base && n < this.cidr.base + 2 ** (32 - this.cidr.prefix);
  }

  /** Mark an address as taken (a pod adopted after a restart); false if it is not in this CIDR. */
  reserve(ip: string): boolean {
    if (!this.contains(ip)) return false;
    this.used.add(ipToInt(ip));
    return true;
  }

  allocate(): string {
    const first = this.first();
    const last = this.last();
    const span = last - first + 1;
    for (let i = 0; i < span; i++) {
      const n = first + ((this.next - first + i) % span);
      if (!this.used.has(n)) {
        this.used.add(n);
        this.next = n + 1 > last ? first : n + 1;
        return intToIP(n);
      }
    }
    throw new Error(`no free pod IP in ${formatCIDR(this.cidr)}`);
  }

  release(ip: string): void {
    if (this.contains(ip)) this.used.delete(ipToInt(ip));
  }

  get size(): number { return this.used.size; }
}
