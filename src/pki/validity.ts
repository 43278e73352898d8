// Serial numbers and validity windows shared by CA and leaf issuance.
import { randomBytes } from 'node:crypto';

/** Backdating notBefore tolerates small clock differences between the machines of a cluster. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A random 128-bit serial number as hex (the x509 library encodes it as a positive DER INTEGER). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  // A zero serial is not allowed by RFC 5280; with 128 random bits this is only a formality.
  if (bytes.every((b) => b === 0)) bytes[15] = 1;
  return bytes.toString('hex');
}

export function validityWindow(now: Date, durationMs: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - CLOCK_SKEW_MS), notAfter: new Date(now.getTime() + durationMs) };
}
