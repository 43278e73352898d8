// A bitmap of the /N subnets of a cluster CIDR (upstream nodeipam/ipam/cidrset, IPv4): allocate the
// next free one round-robin, mark subnets a node already has as used, release them on deletion.

export const ERR_NO_CIDRS_REMAINING = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';
/** upstream clusterSubnetMaxDiff: at most 2^16 subnets per cluster CIDR */
const MAX_SUBNET_DIFF = 16;

export interface IPv4Net { base: number; prefix: number }

/** Parses "a.b.c.d/n" (IPv4 only); the address must be a valid dotted quad, the prefix 0..32. */
export function parseCIDR(s: string): IPv4Net {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid CIDR address: ${s}`);
  const ip = ((octets[0] * 256 + octets[1]) * 256 + octets[2]) * 256 + octets[3];
  const size = 2 ** (32 - prefix);
  return { base: ip - (ip % size), prefix };
}

export function formatCIDR(n: IPv4Net): string {
  const b = n.base;
  return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 256) % 256}.${b % 256}/${n.prefix}`;
}

export class CIDRSet {
  readonly cluster: IPv4Net;
  readonly maxCIDRs: number;
  private readonly used: Uint8Array;
  private nextCandidate = 0;
  private allocatedCount = 0;

  constructor(clusterCIDR: string, readonly subnetMaskSize: number) {
    this.cluster = parseCIDR(clusterCIDR);
    if (!Number.isInteger(subnetMaskSize) || subnetMaskSize > 32 || subnetMaskSize < this.cluster.prefix) {
      throw new Error(`invalid node CIDR mask size ${subnetMaskSize} for cluster CIDR ${clusterCIDR}`);
    }
    if (subnetMaskSize - this.cluster.prefix > MAX_SUBNET_DIFF) {
      throw new Error(`subNetMaskSize is too big: subNetMaskSize ${subnetMaskSize} - clusterMaskSize ${this.cluster.prefix} > ${MAX_SUBNET_DIFF}`);
    }
    this.maxCIDRs = 2 ** (subnetMaskSize - this.cluster.prefix);
    this.used = new Uint8Array(this.maxCIDRs);
  }

  get allocated(): number { return this.allocatedCount; }

  private subnet(i: number): string {
    return formatCIDR({ base: this.cluster.base + i * 2 ** (32 - this.subnetMaskSize), prefix: this.subnetMaskSize });
  }

  /** The next free subnet after the last one handed out (wrapping around). */
  allocateNext(): string {
    for (let k = 0; k < this.maxCIDRs; k++) {
      const i = (this.nextCandidate + k) % this.maxCIDRs;
      if (this.used[i]) continue;
      this.used[i] = 1;
      this.allocatedCount++;
      this.nextCandidate = (i + 1) % this.maxCIDRs;
      return this.subnet(i);
    }
    throw new Error(ERR_NO_CIDRS_REMAINING);
  }

  /** Subnet indices [begin, end] that `cidr` overlaps; throws when it lies outside the cluster CIDR. */
  private indices(cidr: string): [number, number] {
    const n = parseCIDR(cidr);
    const start = n.base;
    const end = n.base + 2 ** (32 - n.prefix) - 1;
    const cStart = this.cluster.base;
    const cEnd = cStart + 2 ** (32 - this.cluster.prefix) - 1;
    if (end < cStart || start > cEnd) throw new Error(`cidr ${cidr} is out the range of cluster cidr ${formatCIDR(this.cluster)}`);
    const step = 2 ** (32 - this.subnetMaskSize);
    return [Math.floor((Math.max(start, cStart) - cStart) / step), Math.floor((Math.min(end, cEnd) - cStart) / step)];
  }

  occupy(cidr: string): void {
    const [b, e] = this.indices(cidr);
    for (let i = b; i <= e; i++) if (!this.used[i]) { this.used[i] = 1; this.allocatedCount++; }
  }

  release(cidr: string): void {
    const [b, e] = this.indices(cidr);
    for (let i = b; i <= e; i++) if (this.used[i]) { this.used[i] = 0; this.allocatedCount--; }
  }

  isUsed(cidr: string): boolean {
    const [b, e] = this.indices(cidr);
    for (let i = b; i <= e; i++) if (!this.used[i]) return false;
    return true;
  }
}
