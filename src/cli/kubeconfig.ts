// `kumo kubeconfig`: a kubeconfig for one identity (admin, a kubelet, the scheduler, … or a user) with
// the CA, client certificate and key embedded, like kubeadm's admin.conf/scheduler.conf/kubelet.conf.
// An existing certificate that still fits is reused; otherwise one is issued from the cluster CA.
import { resolve } from 'node:path';
import { parseFlags, usage, type FlagSpec } from './flags.js';
import { DEFAULT_DATA_DIR, IDENTITY_FLAGS, componentOptions, takeListFlags } from './pki.js';
import { KUBECONFIG_KINDS, issueCertificates, kubeconfigCertificate, kubeconfigYAML, loadCA, writeKubeconfig, type KubeconfigKind } from '../pki/index.js';

const FLAGS: FlagSpec[] = [
  { name: 'dir', type: 'string', default: DEFAULT_DATA_DIR, help: 'data directory holding pki/ (see kumo pki init)' },
  { name: 'kind', type: 'string', default: '', help: `whose kubeconfig: ${KUBECONFIG_KINDS.join(', ')}` },
  { name: 'server', type: 'string', default: '', help: 'API server URL, e.g. https://10.0.0.1:6443' },
  ...IDENTITY_FLAGS,
  { name: 'cluster-name', type: 'string', default: 'kumo', help: 'cluster name in the kubeconfig (context is USER@CLUSTER)' },
  { name: 'namespace', type: 'string', default: '', help: 'default namespace of the context' },
  { name: 'out', type: 'string', default: '', help: 'write to this file (mode 0600); standard output if empty' },
  { name: 'help', type: 'bool', default: false, help: 'show this help' },
];

function isKubeconfigKind(s: string): s is KubeconfigKind {
  return (KUBECONFIG_KINDS as readonly string[]).includes(s);
}

export async function kubeconfigCommand(args: string[]): Promise<void> {
  const { lists, rest: flagArgs } = takeListFlags(args, ['group']);
  const { flags, rest } = parseFlags('kubeconfig', flagArgs, FLAGS);
  if (flags.help) {
    console.log(usage('kubeconfig', 'Write a kubeconfig for one identity, with its client certificate embedded (issued from the cluster CA if needed).', FLAGS));
    return;
  }
  if (rest.length > 0) throw new Error(`unexpected argument ${JSON.stringify(rest[0])}\nRun 'kumo kubeconfig --help' for usage.`);
  const kind = String(flags.kind);
  if (kind === '') throw new Error(`--kind is required (one of ${KUBECONFIG_KINDS.join(', ')})`);
  if (!isKubeconfigKind(kind)) throw new Error(`invalid argument "${kind}" for "--kind" flag: must be one of ${KUBECONFIG_KINDS.join(', ')}`);
  const server = String(flags.server);
  if (server === '') throw new Error('--server is required (e.g. https://127.0.0.1:6443)');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new Error(`invalid argument "${server}" for "--server" flag: not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`invalid argument "${server}" for "--server" flag: must be an https:// URL`);
  const clusterName = String(flags['cluster-name']);
  if (clusterName === '') throw new Error('--cluster-name must not be empty');

  const dir = resolve(String(flags.dir));
  const cert = kubeconfigCertificate(dir, kind, componentOptions(flags, lists));
  const ca = await loadCA(dir, 'ca');
  const [pair] = await issueCertificates(dir, [cert], { force: false });
  const user = cert.spec.commonName;
  const opts = {
    clusterName,
    server,
    caPem: ca.pair.certPem,
    userName: user,
    certPem: pair.certPem,
    keyPem: pair.keyPem,
    contextName: `${user}@${clusterName}`,
    namespace: String(flags.namespace) || undefined,
  };
  const out = String(flags.out);
  if (out) {
    await writeKubeconfig(resolve(out), opts);
    console.error(`wrote ${resolve(out)} for ${user} (${pair.kept ? 'existing' : 'new'} certificate ${pair.certPath})`);
  } else process.stdout.write(kubeconfigYAML(opts));
}
