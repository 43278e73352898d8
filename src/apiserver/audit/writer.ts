// The audit log backend: JSON lines buffered in memory and written asynchronously, so requests never
// wait on the disk. Files rotate as upstream's lumberjack logger: past maxSize the file is renamed
// to <name>-<UTC timestamp>.<ext>, only the newest maxBackups rotated files are kept and rotated files
// older than maxAge days are deleted. "-" writes to standard out.
import { mkdirSync, openSync, closeSync, statSync } from 'node:fs';
import { open, rename, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export interface LineWriter {
  /** queue one line (without its newline); never blocks */
  write(line: string): void;
  /** resolves once every line queued so far is written */
  flush(): Promise<void>;
  /** flush and release the file */
  close(): Promise<void>;
}

export interface RotationOptions {
  /** bytes before rotating; 0 → lumberjack's default of 100 MB */
  maxSizeBytes?: number;
  /** rotated files to keep; 0 → all */
  maxBackups?: number;
  /** days to keep rotated files; 0 → no limit */
  maxAgeDays?: number;
  /** for tests */
  now?: () => Date;
}

const MB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export function openLogWriter(path: string, opts: RotationOptions = {}): LineWriter {
  if (path === '-') return new StreamWriter(process.stdout);
  return new RotatingFileWriter(path, opts);
}

/** lumberjack's backup timestamp layout: 2006-01-02T15-04-05.000, UTC */
export function backupTimestamp(d: Date): string {
  return d.toISOString().replace(/Z$/, '').replace(/:/g, '-');
}

function parseBackupTimestamp(s: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(s);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
  return Number.isNaN(t) ? undefined : t;
}

class StreamWriter implements LineWriter {
  private pending: string[] = [];
  private scheduled = false;
  constructor(private readonly out: NodeJS.WritableStream) {}
  write(line: string): void {
    this.pending.push(line + '\n');
    if (!this.scheduled) { this.scheduled = true; setImmediate(() => this.drain()); }
  }
  private drain(): void {
    this.scheduled = false;
    if (!this.pending.length) return;
    const text = this.pending.join('');
    this.pending = [];
    this.out.write(text);
  }
  async flush(): Promise<void> { this.drain(); }
  async close(): Promise<void> { this.drain(); }
}

export class RotatingFileWriter implements LineWriter {
  private readonly maxSize: number;
  private readonly maxBackups: number;
  private readonly maxAgeMs: number;
  private readonly now: () => Date;
  private pending: string[] = [];
  private fh?: FileHandle;
  private size = 0;
  private lastBackup = 0;
  /** the chain of writes; each flush appends to it so writes stay in order */
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private closed = false;
  private lastError = 0;

  constructor(readonly path: string, opts: RotationOptions = {}) {
    this.maxSize = opts.maxSizeBytes && opts.maxSizeBytes > 0 ? opts.maxSizeBytes : 100 * MB;
    this.maxBackups = Math.max(0, opts.maxBackups ?? 0);
    this.maxAgeMs = Math.max(0, opts.maxAgeDays ?? 0) * DAY_MS;
    this.now = opts.now ?? (() => new Date());
    // as upstream, the file (and its folder) exist from start-up, so a bad path fails at once
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    this.size = statSync(path).size;
  }

  write(line: string): void {
    if (this.closed) return;
    this.pending.push(line + '\n');
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; void this.flush(); });
    }
  }

  flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    if (lines.length) this.chain = this.chain.then(() => this.writeLines(lines)).catch((err) => this.report(err));
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.chain;
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
  }

  private report(err: unknown): void {
    // one complaint a second at most: a full disk must not flood the server log
    const t = Date.now();
    if (t - this.lastError > 1000) console.error(`audit log ${this.path}: ${(err as Error).message}`);
    this.lastError = t;
  }

  /** writes the lines in chunks that each fit the current file, rotating between them */
  private async writeLines(lines: string[]): Promise<void> {
    let chunk: Buffer[] = [];
    let chunkLen = 0;
    const writeChunk = async () => {
      if (!chunkLen) return;
      const fh = await this.handle();
      await fh.write(Buffer.concat(chunk, chunkLen));
      this.size += chunkLen;
      chunk = [];
      chunkLen = 0;
    };
    for (const line of lines) {
      const b = Buffer.from(line, 'utf8');
      if (this.size + chunkLen + b.length > this.maxSize && this.size + chunkLen > 0) {
        await writeChunk();
        await this.rotate();
      }
      // a line longer than maxSize gets a file of its own (lumberjack drops it; an audit event must not be lost)
      chunk.push(b);
      chunkLen += b.length;
    }
    await writeChunk();
  }

  private async handle(): Promise<FileHandle> {
    if (!this.fh) {
      this.fh = await open(this.path, 'a', 0o600);
      this.size = (await this.fh.stat()).size;
    }
    return this.fh;
  }

  private backupName(): string {
    const ext = extname(this.path);
    const prefix = basename(this.path, ext);
    // two rotations within one millisecond must not overwrite each other
    let t = Math.max(this.now().getTime(), this.lastBackup + 1);
    this.lastBackup = t;
    return join(dirname(this.path), `${prefix}-${backupTimestamp(new Date(t))}${ext}`);
  }

  private async rotate(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
    await rename(this.path, this.backupName());
    this.fh = await open(this.path, 'a', 0o600);
    this.size = 0;
    await this.mill();
  }

  /** lumberjack's millRunOnce without compression: drop backups beyond maxBackups or older than maxAge */
  private async mill(): Promise<void> {
    if (!this.maxBackups && !this.maxAgeMs) return;
    const dir = dirname(this.path);
    const ext = extname(this.path);
    const prefix = basename(this.path, ext) + '-';
    const backups: { name: string; t: number }[] = [];
    for (const name of await readdir(dir)) {
      if (!name.startsWith(prefix) || !name.endsWith(ext) || name.length <= prefix.length + ext.length) continue;
      const t = parseBackupTimestamp(name.slice(prefix.length, name.length - ext.length));
      if (t !== undefined) backups.push({ name, t });
    }
    backups.sort((a, b) => b.t - a.t);
    const cutoff = this.now().getTime() - this.maxAgeMs;
    const remove = backups.filter((b, i) => (this.maxBackups && i >= this.maxBackups) || (this.maxAgeMs && b.t < cutoff));
    for (const b of remove) await unlink(join(dir, b.name)).catch(() => undefined);
  }
}
