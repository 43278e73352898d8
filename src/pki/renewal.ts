// Certificate renewal while the server runs: the same checks as every start (ensureServerPKI), repeated
// on a timer, so a server that is never restarted does not serve an expired certificate (the k3s
// one-year trap). CAs are never created or replaced here.
import { ensureServerPKI, pkiPaths, type ServerPKI, type ServerPKIOptions } from './cluster.js';
import { readIfExists } from './files.js';

export const DEFAULT_RENEWAL_INTERVAL_MS = 60 * 60 * 1000;

export interface RenewalOptions extends ServerPKIOptions {
  /** The current time for each check; for tests (default: the real clock). */
  clock?: () => Date;
  /** A failed check is reported here and retried on the next tick (default: console.error). */
  onError?: (err: Error) => void;
}

/**
 * Every `intervalMs`, re-issues the server's leaf certificates that no longer fit (expiring within
 * `renewBeforeMs`, 30 days by default) from the same CAs, and calls `onRenewed` with the new PKI
 * when anything changed (again on the next tick if the callback threw). Runs one check at a time;
 * the timer does not keep the process alive.
 * Returns a function that stops it.
 */
export function startRenewal(
  dataDir: string,
  opts: RenewalOptions,
  onRenewed: (pki: ServerPKI) => void | Promise<void>,
  intervalMs: number = DEFAULT_RENEWAL_INTERVAL_MS,
): () => void {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new Error(`renewal interval must be a positive number of milliseconds, got ${intervalMs}`);
  const report = opts.onError ?? ((err: Error) => console.error(`pki: certificate renewal check failed: ${err.message}`));
  const { clock, onError: _onError, ...pkiOpts } = opts;
  let running = false;
  let stopped = false;
  // set while a renewal has been written but the callback has not yet succeeded: the files on disk
  // now fit, so the next check would see no change, yet the server still holds the old pair
  let pending = false;
  const check = async () => {
    if (running || stopped) return;
    running = true;
    try {
      await requireCAs(dataDir);
      const pki = await ensureServerPKI(dataDir, { ...pkiOpts, now: clock ? clock() : pkiOpts.now });
      if ((pki.changes.length > 0 || pending) && !stopped) {
        pending = true;
        await onRenewed(pki);
        pending = false;
      }
    } catch (err) {
      report(err instanceof Error ? err : new Error(String(err)));
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

// ensureServerPKI creates missing CAs (and SA key); while running that would be a new CA nobody trusts, so one
// that vanished is an error instead.
async function requireCAs(dataDir: string): Promise<void> {
  const p = pkiPaths(dataDir);
  for (const f of [p.caCert, p.caKey, p.frontProxyCACert, p.frontProxyCAKey, p.serviceAccountKey]) {
    if ((await readIfExists(f)) === undefined) throw new Error(`${f} is missing; not renewing (restore it and restart)`);
  }
}
