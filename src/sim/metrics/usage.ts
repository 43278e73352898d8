// Simulated resource usage: what a pod "uses" comes from its annotations (the simulator runs no
// containers, so there is nothing to measure). Per container `sim.kumo.dev/cpu-usage.<container>`
// wins; else the whole-pod `sim.kumo.dev/cpu-usage` is split evenly over the containers without
// their own value; else the per-container default. Same for memory.
import { Quantity, tryParseQuantity } from '../../machinery/quantity.js';

export const CPU_USAGE = 'sim.kumo.dev/cpu-usage';
export const MEMORY_USAGE = 'sim.kumo.dev/memory-usage';

export interface Usage {
  /** nanocores */
  cpu: bigint;
  /** bytes */
  memory: bigint;
}

export interface UsageDefaults {
  /** per container, nanocores */
  cpu: bigint;
  /** per container, bytes */
  memory: bigint;
}

/** A quantity annotation in nano-units; undefined when absent, negative or malformed. */
function nanos(v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const q = tryParseQuantity(v.trim());
  if (!q || q.sign() < 0) return undefined;
  return q.nanos;
}

/** `perContainerDefault` is in nano-units (cpu: nanocores; memory: bytes × 10⁹). */
function split(ann: Record<string, string>, key: string, containers: string[], perContainerDefault: bigint): bigint[] {
  const own = containers.map((c) => nanos(ann[`${key}.${c}`]));
  const whole = nanos(ann[key]);
  const rest = own.filter((x) => x === undefined).length;
  const share = whole !== undefined && rest > 0 ? whole / BigInt(rest) : undefined;
  let remainder = whole !== undefined && rest > 0 ? whole - (share as bigint) * BigInt(rest) : 0n;
  return own.map((v) => {
    if (v !== undefined) return v;
    if (share === undefined) return perContainerDefault;
    const r = remainder;
    remainder = 0n;
    return share + r;
  });
}

/** Usage of each container of a pod (in `containers` order). */
export function containerUsage(annotations: Record<string, string> | undefined, containers: string[], d: UsageDefaults): Usage[] {
  const ann = annotations ?? {};
  const cpu = split(ann, CPU_USAGE, containers, d.cpu);
  const mem = split(ann, MEMORY_USAGE, containers, d.memory * 1_000_000_000n);
  // memory is whole bytes, rounded up as a kernel would count pages (never fractional)
  return containers.map((_, i) => ({ cpu: cpu[i], memory: (mem[i] + 999_999_999n) / 1_000_000_000n }));
}

/** metrics-server prints CPU in nanocores ("123456n") unless it is a round number, memory in Ki. */
export function formatCPU(nanocores: bigint): string {
  return new Quantity(nanocores, 'DecimalSI').toString();
}

export function formatMemory(bytes: bigint): string {
  if (bytes === 0n) return '0';
  if (bytes % 1024n === 0n) return new Quantity(bytes * 1_000_000_000n, 'BinarySI').toString();
  return `${(bytes + 1023n) / 1024n}Ki`;
}

/** A --metrics-default-* flag value in nano-units (cpu: nanocores) or whole units (memory: bytes). */
export function parseDefault(flag: string, v: string, as: 'nanos' | 'units'): bigint {
  const q = tryParseQuantity(v);
  if (!q || q.sign() < 0) throw new Error(`invalid argument "${v}" for "--${flag}" flag: must be a non-negative quantity`);
  return as === 'nanos' ? q.nanos : q.value();
}
