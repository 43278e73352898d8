// `kumo pki`: the hard way's certificate steps as commands — `init` (CAs and service-account key),
// `issue` (one component's certificates), `encryption-config` (an EncryptionConfiguration with a
// fresh key). Every input is checked before anything is written.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parseFlags, usage, type FlagSpec, type FlagValues } from './flags.js';
import { COMPONENT_KINDS, initPKI, isComponentKind, issueComponent, subjectOf, type ComponentOptions } from '../pki/index.js';
import { IPAllocator } from '../apiserver/registry/ipallocator.js';
import { PRIVATE_FILE_MODE, writeFileAtomic } from '../pki/files.js';

export const DEFAULT_DATA_DIR = join(homedir(), '.kumo');

/**
 * Takes the values of list flags (`--ip a --ip b`, `--ip=a,b`) out of `args` before the ordinary flag
 * parser sees them, which keeps only the last value of a repeated flag.
 */
export function takeListFlags(args: string[], names: string[]): { lists: Record<string, string[]>; rest: string[] } {
  const lists: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m || !names.includes(m[1])) {
      rest.push(a);
      continue;
    }
    let raw = m[2];
    if (raw === undefined) {
      raw = args[++i];
      if (raw === undefined) throw new Error(`flag needs an argument: --${m[1]}`);
    }
    for (const v of raw.split(',').map((x) => x.trim())) {
      if (v === '') throw new Error(`invalid argument ${JSON.stringify(raw)} for "--${m[1]}" flag: empty value`);
      lists[m[1]].push(v);
    }
  }
  return { lists, rest };
}

/** Flags shared by `kumo pki issue` and `kumo kubeconfig` that describe whose certificate it is. */
export const IDENTITY_FLAGS: FlagSpec[] = [
  { name: 'node-name', type: 'string', default: '', help: 'node name for kubelet (system:node:NAME) and etcd certificates' },
  { name: 'username', type: 'string', default: '', help: 'user name (certificate CN) for --kind user' },
  { name: 'group', type: 'string', default: '', help: 'group (certificate O) for --kind user; repeat or comma-separate for several' },
  { name: 'days', type: 'number', default: 365, help: 'validity of the certificate in days (never past its CA)' },
];

/** Turns parsed flags into component options, validating the number flags. */
export function componentOptions(flags: FlagValues, lists: Record<string, string[]>): ComponentOptions {
  const days = Number(flags.days);
  if (!Number.isInteger(days) || days <= 0) throw new Error(`invalid argument "${flags.days}" for "--days" flag: must be a positive integer`);
  const range = String(flags['service-cluster-ip-range'] ?? '10.96.0.0/12');
  let serviceIP: string;
  try {
    serviceIP = new IPAllocator(range).ipAt(0);
  } catch (err) {
    throw new Error(`invalid argument "${range}" for "--service-cluster-ip-range" flag: ${(err as Error).message}`);
  }
  return {
    nodeName: String(flags['node-name'] ?? '') || undefined,
    userName: String(flags.username ?? '') || undefined,
    groups: lists.group ?? [],
    hostnames: lists.hostname ?? [],
    ips: lists.ip ?? [],
    serviceIP,
    days,
  };
}

function requireNoArgs(command: string, rest: string[]): void {
  if (rest.length > 0) throw new Error(`unexpected argument ${JSON.stringify(rest[0])}\nRun 'kumo ${command} --help' for usage.`);
}

function describe(certPem: string): string {
  const s = subjectOf(certPem);
  const c = new X509Certificate(certPem);
  const who = [`CN=${s.commonName}`, ...s.organizations.map((o) => `O=${o}`)].join(', ');
  const sans = c.subjectAltName ? `; SANs ${c.subjectAltName}` : '';
  return `${who}${sans}; expires ${new Date(c.validTo).toISOString()}`;
}

const INIT_FLAGS: FlagSpec[] = [
  { name: 'dir', type: 'string', default: DEFAULT_DATA_DIR, help: 'data directory; files go to DIR/pki (the same as kumo server --data-dir)' },
  { name: 'ca-years', type: 'number', default: 10, help: 'validity of new CAs in years' },
  { name: 'help', type: 'bool', default: false, help: 'show this help' },
];

async function initCommand(args: string[]): Promise<void> {
  const { flags, rest } = parseFlags('pki init', args, INIT_FLAGS);
  if (flags.help) {
    console.log(usage('pki init', 'Create the cluster CA, front-proxy CA, etcd CA and service-account key pair (existing ones are kept).', INIT_FLAGS));
    return;
  }
  requireNoArgs('pki init', rest);
  const years = Number(flags['ca-years']);
  if (!Number.isInteger(years) || years <= 0) throw new Error(`invalid argument "${flags['ca-years']}" for "--ca-years" flag: must be a positive integer`);
  const dir = resolve(String(flags.dir));
  const changes = await initPKI(dir, { caYears: years });
  for (const c of changes) console.log(c);
  if (changes.length === 0) console.log(`PKI in ${join(dir, 'pki')} is already initialised; nothing changed`);
}

const ISSUE_FLAGS: FlagSpec[] = [
  { name: 'dir', type: 'string', default: DEFAULT_DATA_DIR, help: 'data directory holding pki/ (see kumo pki init)' },
  { name: 'kind', type: 'string', default: '', help: `what to issue: ${COMPONENT_KINDS.join(', ')}` },
  ...IDENTITY_FLAGS,
  { name: 'hostname', type: 'string', default: '', help: 'extra DNS name (or IP) for serving certificates; repeat or comma-separate' },
  { name: 'ip', type: 'string', default: '', help: 'extra IP address for serving certificates; repeat or comma-separate' },
  { name: 'service-cluster-ip-range', type: 'string', default: '10.96.0.0/12', help: 'service CIDR; its first IP is an apiserver SAN' },
  { name: 'keep-existing', type: 'bool', default: false, help: 'keep a certificate that still fits instead of re-issuing it' },
  { name: 'help', type: 'bool', default: false, help: 'show this help' },
];

async function issueCommand(args: string[]): Promise<void> {
  const { lists, rest: flagArgs } = takeListFlags(args, ['hostname', 'ip', 'group']);
  const { flags, rest } = parseFlags('pki issue', flagArgs, ISSUE_FLAGS);
  if (flags.help) {
    console.log(usage('pki issue', 'Issue the certificate(s) of one component, signed by its CA (run kumo pki init first).', ISSUE_FLAGS));
    return;
  }
  requireNoArgs('pki issue', rest);
  const kind = String(flags.kind);
  if (kind === '') throw new Error(`--kind is required (one of ${COMPONENT_KINDS.join(', ')})`);
  if (!isComponentKind(kind)) throw new Error(`invalid argument "${kind}" for "--kind" flag: must be one of ${COMPONENT_KINDS.join(', ')}`);
  const dir = resolve(String(flags.dir));
  const issued = await issueComponent(dir, kind, componentOptions(flags, lists), { force: !flags['keep-existing'] });
  for (const c of issued) console.log(`${c.kept ? 'kept' : 'issued'} ${c.certPath} (${describe(c.certPem)})`);
}

const ENCRYPTION_FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', default: '', help: 'write to this file (mode 0600) instead of standard output' },
  { name: 'help', type: 'bool', default: false, help: 'show this help' },
];

async function encryptionConfigCommand(args: string[]): Promise<void> {
  const { flags, rest } = parseFlags('pki encryption-config', args, ENCRYPTION_FLAGS);
  if (flags.help) {
    console.log(usage('pki encryption-config', 'Print an EncryptionConfiguration (aescbc with a random 32-byte key for Secrets) for --encryption-provider-config.', ENCRYPTION_FLAGS));
    return;
  }
  requireNoArgs('pki encryption-config', rest);
  // The generator belongs to the encryption-at-rest code; loaded lazily so the other pki commands
  // work even while it is missing.
  const mod = (await import('../apiserver/encryption/index.js')) as Record<string, unknown>;
  const generate = mod.generateEncryptionConfig;
  if (typeof generate !== 'function') throw new Error('encryption at rest is not available in this build (generateEncryptionConfig is missing)');
  const text = String(await (generate as () => unknown)());
  const out = String(flags.out);
  if (out) await writeFileAtomic(resolve(out), text.endsWith('\n') ? text : text + '\n', PRIVATE_FILE_MODE);
  else process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

const SUBCOMMANDS: Record<string, { summary: string; run: (args: string[]) => Promise<void> }> = {
  init: { summary: 'create the CAs and the service-account key pair', run: initCommand },
  issue: { summary: "issue a component's certificates (apiserver, kubelet, scheduler, …)", run: issueCommand },
  'encryption-config': { summary: 'print an EncryptionConfiguration with a random key', run: encryptionConfigCommand },
};

function pkiHelp(): string {
  return ['Manage the cluster certificates step by step ("the hard way").', '', 'Usage:', '  kumo pki <command> [flags]', '', 'Commands:',
    ...Object.entries(SUBCOMMANDS).map(([n, c]) => `  ${n.padEnd(18)} ${c.summary}`), '',
    "Use 'kumo pki <command> --help' for a command's flags."].join('\n');
}

export async function pkiCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(pkiHelp());
    if (sub === undefined) throw new Error('a subcommand is required (init, issue, encryption-config)');
    return;
  }
  const c = SUBCOMMANDS[sub];
  if (!c) throw new Error(`unknown command "${sub}" for "kumo pki"\n\n${pkiHelp()}`);
  await c.run(rest);
}
