// `kumo server`: the all-in-one control plane on the embedded datastore. Creates the PKI on first
// start, serves the API, writes the admin kubeconfig once /readyz is ok, and shuts down cleanly
// on SIGTERM/SIGINT.
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureServerPKI, startRenewal, writeAdminKubeconfig } from '../pki/index.js';
import { openBackend } from '../storage/index.js';
import { APIServer } from '../apiserver/server.js';
import { IPAllocator } from '../apiserver/registry/ipallocator.js';
import { parseFlags, usage, type FlagSpec } from './flags.js';
import { transformerFromConfigFile, defaultEncryptionConfig } from '../apiserver/encryption/index.js';
import { buildAuthenticators } from '../apiserver/authn/index.js';
import { loopbackAuthenticator, newLoopbackToken } from '../apiserver/authn/loopback.js';
import { loopbackSocketPath } from './loopback.js';
import { buildAuthorizer } from '../apiserver/authz/index.js';
import { buildAuditor } from '../apiserver/audit/index.js';
import { buildAdmissionPlugins } from '../apiserver/admission/plugins.js';
import { ensureSystemPriorityClasses } from '../apiserver/admission/core/bootstrap-priority.js';
import { startComponent, type ComponentHandle } from './components.js';
import { parseControllersFlag, validateControllers } from '../controllers/manager/names.js';
import { createHash } from 'node:crypto';
import { checkSchedulerConfig } from '../scheduler/inprocess.js';

const FLAGS: FlagSpec[] = [
  { name: 'data-dir', type: 'string', default: join(homedir(), '.kumo'), help: 'directory for the datastore, PKI and kubeconfig' },
  { name: 'bind-address', type: 'string', default: '127.0.0.1', help: 'IP address to serve HTTPS on' },
  { name: 'secure-port', type: 'number', default: 6443, help: 'HTTPS port (0 picks a free one)' },
  { name: 'advertise-address', type: 'string', default: '', help: 'IP published in the kubernetes Service endpoints (default: first non-loopback IPv4)' },
  { name: 'write-kubeconfig', type: 'string', default: '', help: 'where to write the admin kubeconfig (default DATA-DIR/kubeconfig)' },
  { name: 'service-cluster-ip-range', type: 'string', default: '10.96.0.0/12', help: 'CIDR for Service cluster IPs' },
  { name: 'datastore-endpoint', type: 'string', default: '', help: 'datastore: empty for embedded SQLite in DATA-DIR, sqlite://PATH, memory://' },
  { name: 'emulated-version', type: 'string', default: '', help: 'Kubernetes version to report, 1.27–1.33 (default: 1.33)' },
  { name: 'encryption-provider-config', type: 'string', default: '', help: 'EncryptionConfiguration file for encryption at rest' },
  { name: 'token-auth-file', type: 'string', default: '', help: 'static bearer tokens (CSV: token,user,uid,"group1,group2")' },
  { name: 'service-account-issuer', type: 'string', default: 'https://kubernetes.default.svc.cluster.local', help: 'issuer (iss) of service-account tokens' },
  { name: 'api-audiences', type: 'string', default: '', help: 'comma-separated audiences of the API server (default: the service-account issuer)' },
  { name: 'service-account-jwks-uri', type: 'string', default: '', help: 'jwks_uri published in /.well-known/openid-configuration (default https://ADVERTISE-ADDRESS:PORT/openid/v1/jwks)' },
  { name: 'authorization-mode', type: 'string', default: 'Node,RBAC', help: 'ordered list of authorizers (AlwaysAllow, AlwaysDeny, Node, RBAC)' },
  { name: 'enable-admission-plugins', type: 'string', default: '', help: 'admission plugins to enable in addition to the defaults (comma list)' },
  { name: 'disable-admission-plugins', type: 'string', default: '', help: 'admission plugins to turn off (comma list)' },
  { name: 'requestheader-client-ca-file', type: 'string', default: '', help: 'CA for front-proxy client certificates (default DATA-DIR/pki/front-proxy-ca.crt)' },
  { name: 'requestheader-allowed-names', type: 'string', default: 'front-proxy-client', help: 'front-proxy client certificate common names allowed (empty: any)' },
  { name: 'requestheader-username-headers', type: 'string', default: 'X-Remote-User', help: 'request headers carrying the user name' },
  { name: 'requestheader-group-headers', type: 'string', default: 'X-Remote-Group', help: 'request headers carrying groups' },
  { name: 'requestheader-extra-headers-prefix', type: 'string', default: 'X-Remote-Extra-', help: 'request header prefixes carrying extra user info' },
  { name: 'anonymous-auth', type: 'bool', default: true, help: 'treat requests without credentials as system:anonymous (authorized like any user)' },
  { name: 'audit-policy-file', type: 'string', default: '', help: 'audit.k8s.io/v1 Policy file' },
  { name: 'audit-log-path', type: 'string', default: '', help: 'audit log file (JSON lines); "-" for standard out' },
  { name: 'audit-log-maxsize', type: 'number', default: 100, help: 'megabytes before the audit log is rotated' },
  { name: 'audit-log-maxbackup', type: 'number', default: 10, help: 'rotated audit logs to keep' },
  { name: 'audit-log-maxage', type: 'number', default: 0, help: 'days to keep rotated audit logs (0 = no limit)' },
  { name: 'max-requests-inflight', type: 'number', default: 400, help: 'read-only requests in flight at once (with --max-mutating-requests-inflight, the seats API Priority and Fairness shares out)' },
  { name: 'max-mutating-requests-inflight', type: 'number', default: 200, help: 'mutating requests in flight at once (see --max-requests-inflight)' },
  { name: 'enable-priority-and-fairness', type: 'bool', default: true, help: 'classify requests by FlowSchema and limit them per priority level (API Priority and Fairness)' },
  { name: 'controllers', type: 'string', default: '*', help: 'controllers the built-in controller manager runs (kube-controller-manager\'s --controllers: \'*\', \'foo\', \'-foo\')' },
  { name: 'disable-controller-manager', type: 'bool', default: false, help: 'do not run the built-in controller manager (run `kumo controller-manager` separately)' },
  { name: 'disable-scheduler', type: 'bool', default: false, help: 'do not run the built-in scheduler (run `kumo scheduler` separately)' },
  { name: 'scheduler-config', type: 'string', default: '', help: 'KubeSchedulerConfiguration file for the built-in scheduler' },
  { name: 'help', type: 'bool', default: false, help: 'show this help' },
];

function list(v: unknown): string[] {
  return String(v ?? '').split(',').map((x) => x.trim()).filter(Boolean);
}

function defaultAdvertiseAddress(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export async function serverCommand(args: string[]): Promise<void> {
  const { flags } = parseFlags('server', args, FLAGS);
  if (flags.help) { console.log(usage('server', 'Run the Kumo control plane (API server on the embedded datastore).', FLAGS)); return; }
  const started = Date.now();
  const controllerErrs = validateControllers(parseControllersFlag(String(flags.controllers)));
  if (controllerErrs.length) throw new Error(`--controllers: ${controllerErrs.join(', ')}`);
  const dataDir = resolve(String(flags['data-dir']));
  let schedulerConfigText = '';
  if (flags['scheduler-config']) {
    try { schedulerConfigText = readFileSync(String(flags['scheduler-config']), 'utf8'); } catch (err) { throw new Error(`reading --scheduler-config: ${(err as Error).message}`); }
  }
  if (!flags['disable-scheduler']) checkSchedulerConfig(schedulerConfigText); // a bad file stops the server before it serves
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const bind = String(flags['bind-address']);
  const range = String(flags['service-cluster-ip-range']);
  const serviceIP = new IPAllocator(range).ipAt(0);
  const advertise = String(flags['advertise-address']) || defaultAdvertiseAddress();
  const ips = [bind, advertise].filter((x): x is string => !!x && x !== '0.0.0.0' && x !== '::');
  // test and operations knobs for renewal: how often to check, and how long before expiry to renew
  const renewBeforeMs = Number(process.env.KUMO_PKI_RENEW_BEFORE_MS) || undefined;
  const renewIntervalMs = Number(process.env.KUMO_PKI_RENEWAL_INTERVAL_MS) || undefined;
  const pkiOptions = { hostnames: [hostname()], ips, serviceIP, renewBeforeMs };
  let pki = await ensureServerPKI(dataDir, pkiOptions);
  for (const c of pki.changes) console.log(`pki: ${c}`);
  const backend = await openBackend(String(flags['datastore-endpoint']) || undefined, dataDir);
  const rhFile = String(flags['requestheader-client-ca-file']);
  const requestHeaderCAPem = rhFile ? readFileSync(rhFile, 'utf8') : pki.frontProxyCA.certPem;
  const requestHeader = {
    caPem: requestHeaderCAPem,
    allowedNames: list(flags['requestheader-allowed-names']),
    usernameHeaders: list(flags['requestheader-username-headers']),
    groupHeaders: list(flags['requestheader-group-headers']),
    extraHeaderPrefixes: list(flags['requestheader-extra-headers-prefix']),
  };
  const modes = String(flags['authorization-mode']).split(',').map((m) => m.trim()).filter(Boolean);
  const auditor = await buildAuditor({
    policyFile: String(flags['audit-policy-file']) || undefined, logPath: String(flags['audit-log-path']) || undefined,
    maxSizeMB: Number(flags['audit-log-maxsize']), maxBackups: Number(flags['audit-log-maxbackup']), maxAgeDays: Number(flags['audit-log-maxage']),
  });
  let server: APIServer | undefined;
  const authorizer = buildAuthorizer(modes, { lookup: (g, v, r) => server?.lookup(g, v, r) });
  // the in-process components' channel: a private Unix socket and a token that lives only in memory
  const inProcess = !flags['disable-controller-manager'] || !flags['disable-scheduler'];
  const loopback = inProcess ? { socketPath: loopbackSocketPath(dataDir), token: newLoopbackToken() } : undefined;
  server = new APIServer({
    bindAddress: bind,
    securePort: Number(flags['secure-port']),
    serviceClusterIPRange: range,
    advertiseAddress: advertise,
    // TLS accepts client certificates of both CAs; the authenticators tell them apart
    tls: { certPem: pki.apiserver.certPem, keyPem: pki.apiserver.keyPem, clientCAPem: `${pki.ca.certPem.trim()}\n${requestHeaderCAPem.trim()}\n` },
    backend,
    emulatedVersion: String(flags['emulated-version']) || undefined,
    transformer: await transformerFromConfigFile(String(flags['encryption-provider-config']) || defaultEncryptionConfig(dataDir)),
    loopbackSocket: loopback?.socketPath,
    authenticators: [...(loopback ? [loopbackAuthenticator(loopback.token)] : []), ...await buildAuthenticators({
      clientCAPem: pki.ca.certPem,
      requestHeader,
      tokenAuthFile: String(flags['token-auth-file']) || undefined,
      serviceAccount: {
        issuer: String(flags['service-account-issuer']),
        apiAudiences: String(flags['api-audiences']).split(',').map((a) => a.trim()).filter(Boolean),
        signingKeyPem: pki.serviceAccount.privateKeyPem,
        jwksURI: String(flags['service-account-jwks-uri']) || undefined,
      },
      lookup: (g, v, r) => server?.lookup(g, v, r),
    })],
    authorizer,
    // anonymous requests are authorized like any other once a real authorizer decides
    anonymousToAuthorizer: Boolean(flags['anonymous-auth']) && !modes.every((m) => m === 'AlwaysAllow'),
    auditor,
    // published as kube-system/extension-apiserver-authentication for extension API servers
    extensionAuthentication: { clientCAPem: pki.ca.certPem, requestHeader },
    maxRequestsInFlight: flags['enable-priority-and-fairness'] ? Number(flags['max-requests-inflight']) + Number(flags['max-mutating-requests-inflight']) : 0,
    proxyClient: { certPem: pki.frontProxyClient.certPem, keyPem: pki.frontProxyClient.keyPem },
    admissionPlugins: buildAdmissionPlugins(list(flags['enable-admission-plugins']), list(flags['disable-admission-plugins']), () => server!),
  });
  const srv = server;
  let stopping = false;
  let controllers: { stop(): void | Promise<void> }[] = [];
  let stopRenewal = () => {};
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`received ${sig}, shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    stopRenewal();
    for (const c of controllers) await c.stop();
    await srv.stop();
    await auditor?.close();
    await backend.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  const kubeconfig = resolve(String(flags['write-kubeconfig']) || join(dataDir, 'kubeconfig'));
  let url = '';
  // the kubeconfig exists before /readyz says ok, so anyone polling readiness can use it at once
  await srv.start(async ({ port }) => {
    url = `https://${host}:${port}`;
    await writeAdminKubeconfig(pki, kubeconfig, { server: url });
  });
  // the controller manager runs in-process as a client of this server over loopback (as k3s does)
  await ensureSystemPriorityClasses(srv);
  // the scheduler and the controller manager run in-process, each on its own worker thread, as clients
  // of this server over loopback (as k3s runs them in its process)
  const identity = `${hostname()}_kumo-server_${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
  const creds = { server: url, caPem: pki.ca.certPem, certPem: pki.admin.certPem, keyPem: pki.admin.keyPem, identity, loopback };
  const components: ComponentHandle[] = [];
  if (!flags['disable-controller-manager']) {
    components.push(startComponent({ ...creds, component: 'controller-manager', controllers: String(flags.controllers), clusterCA: pki.ca }, (m) => console.log(m)));
  }
  if (!flags['disable-scheduler']) {
    components.push(startComponent({ ...creds, component: 'scheduler', schedulerConfig: schedulerConfigText }, (m) => console.log(m)));
  }
  controllers = components;
  // certificates are re-checked while running; a renewed serving cert is swapped in live
  stopRenewal = startRenewal(dataDir, pkiOptions, async (renewed) => {
    for (const c of renewed.changes) console.log(`pki: ${c}`);
    if (renewed.apiserver.certPem !== pki.apiserver.certPem) srv.updateServingCertificate(renewed.apiserver.certPem, renewed.apiserver.keyPem);
    srv.config.proxyClient = { certPem: renewed.frontProxyClient.certPem, keyPem: renewed.frontProxyClient.keyPem };
    if (renewed.admin.certPem !== pki.admin.certPem) {
      await writeAdminKubeconfig(renewed, kubeconfig, { server: url });
      // the in-process components authenticate with the admin certificate too
      for (const c of components) c.updateCredentials(renewed.admin.certPem, renewed.admin.keyPem, renewed.ca);
    }
    pki = renewed;
  }, renewIntervalMs);
  console.log(`Kumo ${srv.version.gitVersion} is ready at ${url} (${Date.now() - started} ms); kubeconfig: ${kubeconfig}`);
  console.log(`  export KUBECONFIG=${kubeconfig}`);
}
