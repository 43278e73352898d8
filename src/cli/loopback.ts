// Where `kumo server` puts its loopback socket: in the data directory (mode 0700) when the path
// fits a Unix socket address (108 bytes on Linux), else in a private directory under the temp dir.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_SOCKET_PATH = 100;

export function loopbackSocketPath(dataDir: string): string {
  const inDataDir = join(dataDir, 'loopback.sock');
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH && isPrivate(dataDir)) return inDataDir;
  const dir = join(tmpdir(), `kumo-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // someone else's directory (or a link to one) under a shared /tmp must not hold the socket
  if (!isPrivate(dir, true)) throw new Error(`${dir}: not a private directory of this user; use a shorter --data-dir`);
  return join(dir, `${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`);
}

/**
 * Owned by this user and not writable by others (nobody else can swap the socket for theirs and
 * receive the components' system:masters token); with `closed`, not even enterable by others.
 */
function isPrivate(dir: string, closed = false): boolean {
  let st;
  try { st = lstatSync(dir); } catch { return false; }
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) return false;
  return (st.mode & (closed ? 0o077 : 0o022)) === 0;
}
