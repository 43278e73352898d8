// Every component's certificate, with upstream's identity (CN = user, O = groups), usages, SANs and
// signing CA, at kubeadm's file names where kubeadm has them. `kumo pki issue` and `kumo kubeconfig`
// are thin wrappers around this table.
import { join } from 'node:path';
import { canonicalIP, checkDNSName } from './certs.js';
import {
  ADMIN_GROUP,
  ADMIN_USER,
  APISERVER_CN,
  CLUSTER_CA_NAME,
  DEFAULT_LEAF_DAYS,
  FRONT_PROXY_CA_NAME,
  FRONT_PROXY_CLIENT_CN,
  apiserverSANs,
  pkiPaths,
  type LeafSpec,
} from './cluster.js';

export const ETCD_CA_NAME = 'etcd-ca';

/** The three CAs of a kubeadm cluster. */
export type CAName = 'ca' | 'front-proxy-ca' | 'etcd-ca';

export const COMPONENT_KINDS = [
  'apiserver',
  'apiserver-kubelet-client',
  'kubelet',
  'scheduler',
  'controller-manager',
  'proxy',
  'admin',
  'etcd-server',
  'etcd-peer',
  'etcd-client',
  'front-proxy-client',
  'user',
] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** Kinds that are a client identity of the API server, so `kumo kubeconfig` can make a file for them. */
export const KUBECONFIG_KINDS = ['admin', 'kubelet', 'scheduler', 'controller-manager', 'proxy', 'user'] as const;
export type KubeconfigKind = (typeof KUBECONFIG_KINDS)[number];

// Upstream's user names for the control-plane components (RBAC bootstrap policy binds roles to these).
export const SCHEDULER_USER = 'system:kube-scheduler';
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const PROXY_USER = 'system:kube-proxy';
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const APISERVER_KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';
export const APISERVER_ETCD_CLIENT_CN = 'kube-apiserver-etcd-client';

export interface ComponentOptions {
  /** Node name for kubelet and etcd certificates (kubelet: system:node:NAME; etcd: CN = NAME). */
  nodeName?: string;
  /** Extra DNS names for serving certificates; entries that are IPs count as IPs. */
  hostnames?: string[];
  /** Extra IP SANs for serving certificates. */
  ips?: string[];
  /** The `kubernetes` Service ClusterIP (apiserver only). */
  serviceIP?: string;
  dnsDomain?: string;
  /** For kind `user`: the user name (CN) and groups (O). */
  userName?: string;
  groups?: string[];
  days?: number;
}

export interface ComponentCertificate {
  /** Short name of this pair, e.g. `kubelet-client`, for messages. */
  name: string;
  ca: CAName;
  spec: LeafSpec;
}

export interface CAFiles {
  certPath: string;
  keyPath: string;
  commonName: string;
}

export function caFiles(dataDir: string, ca: CAName): CAFiles {
  const p = pkiPaths(dataDir);
  switch (ca) {
    case 'ca':
      return { certPath: p.caCert, keyPath: p.caKey, commonName: CLUSTER_CA_NAME };
    case 'front-proxy-ca':
      return { certPath: p.frontProxyCACert, keyPath: p.frontProxyCAKey, commonName: FRONT_PROXY_CA_NAME };
    case 'etcd-ca':
      return { certPath: join(p.dir, 'etcd', 'ca.crt'), keyPath: join(p.dir, 'etcd', 'ca.key'), commonName: ETCD_CA_NAME };
  }
}

/** A node name must be a DNS-1123 subdomain (lower case), as Node object names are. */
export function checkNodeName(name: string | undefined): string {
  if (name === undefined || name === '') throw new Error('a node name is required (--node-name)');
  if (name !== name.toLowerCase()) throw new Error(`invalid node name ${JSON.stringify(name)}: must be lower case`);
  checkDNSName(name);
  if (name.startsWith('*')) throw new Error(`invalid node name ${JSON.stringify(name)}`);
  return name;
}

/**
 * File-system safe form of a user name (which may hold ':', '@', '/'): anything outside
 * [A-Za-z0-9._@-] is percent-encoded, so distinct users never share a file.
 */
export function userFileName(user: string): string {
  const enc = [...Buffer.from(user, 'utf8')]
    .map((b) => (/[A-Za-z0-9_@-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  return enc;
}

function servingSANs(nodeName: string, opts: ComponentOptions, extraDNS: string[], extraIPs: string[]) {
  const dnsNames = [nodeName, ...extraDNS];
  const ipAddresses = [...extraIPs];
  for (const h of opts.hostnames ?? []) {
    if (canonicalIPOrUndefined(h)) ipAddresses.push(canonicalIP(h));
    else dnsNames.push(checkDNSName(h).toLowerCase());
  }
  for (const ip of opts.ips ?? []) ipAddresses.push(canonicalIP(ip));
  return { dnsNames: [...new Set(dnsNames)], ipAddresses: [...new Set(ipAddresses.map(canonicalIP))] };
}

function canonicalIPOrUndefined(s: string): string | undefined {
  try {
    return canonicalIP(s);
  } catch {
    return undefined;
  }
}

/**
 * The certificate pairs a component kind needs. Validates every option and throws before anything is
 * written; the returned specs carry their file paths under DATADIR/pki.
 */
export function componentCertificates(dataDir: string, kind: ComponentKind, opts: ComponentOptions = {}): ComponentCertificate[] {
  const days = opts.days ?? DEFAULT_LEAF_DAYS;
  if (!Number.isFinite(days) || days <= 0) throw new Error(`--days must be a positive number, got ${days}`);
  for (const ip of opts.ips ?? []) canonicalIP(ip);
  for (const h of opts.hostnames ?? []) if (!canonicalIPOrUndefined(h)) checkDNSName(h);
  const dir = pkiPaths(dataDir).dir;
  const pair = (base: string) => ({ certPath: join(dir, `${base}.crt`), keyPath: join(dir, `${base}.key`) });
  const client = (name: string, base: string, commonName: string, organizations: string[], ca: CAName = 'ca'): ComponentCertificate => ({
    name,
    ca,
    spec: { ...pair(base), commonName, organizations, usages: ['client'], days },
  });
  switch (kind) {
    case 'apiserver': {
      if (!opts.serviceIP) throw new Error('the apiserver certificate needs the service IP (--service-cluster-ip-range)');
      const sans = apiserverSANs({ hostnames: opts.hostnames ?? [], ips: opts.ips ?? [], serviceIP: opts.serviceIP, dnsDomain: opts.dnsDomain });
      return [{ name: 'apiserver', ca: 'ca', spec: { ...pair('apiserver'), commonName: APISERVER_CN, ...sans, usages: ['server'], days } }];
    }
    case 'apiserver-kubelet-client':
      return [client('apiserver-kubelet-client', 'apiserver-kubelet-client', APISERVER_KUBELET_CLIENT_CN, [ADMIN_GROUP])];
    case 'kubelet': {
      const node = checkNodeName(opts.nodeName);
      const user = `${NODE_USER_PREFIX}${node}`;
      const base = (b: string) => ({ certPath: join(dir, 'kubelet', node, `${b}.crt`), keyPath: join(dir, 'kubelet', node, `${b}.key`) });
      return [
        // the kubelet's identity towards the API server (the Node authorizer keys on it)
        { name: 'kubelet-client', ca: 'ca', spec: { ...base('kubelet-client'), commonName: user, organizations: [NODES_GROUP], usages: ['client'], days } },
        // what the kubernetes.io/kubelet-serving signer would issue: same subject, node name and IPs as SANs
        {
          name: 'kubelet',
          ca: 'ca',
          spec: { ...base('kubelet'), commonName: user, organizations: [NODES_GROUP], ...servingSANs(node, opts, [], []), usages: ['server'], days },
        },
      ];
    }
    case 'scheduler':
      return [client('scheduler', 'scheduler', SCHEDULER_USER, [])];
    case 'controller-manager':
      return [client('controller-manager', 'controller-manager', CONTROLLER_MANAGER_USER, [])];
    case 'proxy':
      return [client('proxy', 'kube-proxy', PROXY_USER, [])];
    case 'admin':
      return [client('admin', 'admin', ADMIN_USER, [ADMIN_GROUP])];
    case 'front-proxy-client':
      return [client('front-proxy-client', 'front-proxy-client', FRONT_PROXY_CLIENT_CN, [], 'front-proxy-ca')];
    case 'etcd-server':
    case 'etcd-peer': {
      // kubeadm: CN = node name, SANs = node name, localhost, the advertise address and loopback;
      // both usages (etcd uses the server certificate as a client too).
      const node = checkNodeName(opts.nodeName);
      const base = kind === 'etcd-server' ? 'server' : 'peer';
      return [
        {
          name: kind,
          ca: 'etcd-ca',
          spec: {
            certPath: join(dir, 'etcd', `${base}.crt`),
            keyPath: join(dir, 'etcd', `${base}.key`),
            commonName: node,
            ...servingSANs(node, opts, ['localhost'], ['127.0.0.1', '::1']),
            usages: ['server', 'client'],
            days,
          },
        },
      ];
    }
    case 'etcd-client':
      return [client('apiserver-etcd-client', 'apiserver-etcd-client', APISERVER_ETCD_CLIENT_CN, [ADMIN_GROUP], 'etcd-ca')];
    case 'user': {
      const user = opts.userName;
      if (!user || user.trim() === '') throw new Error('a user name is required for --kind user (--username)');
      const groups = opts.groups ?? [];
      for (const g of groups) if (g === '') throw new Error('group names must not be empty');
      const f = userFileName(user);
      return [{ name: `user ${user}`, ca: 'ca', spec: { certPath: join(dir, 'users', `${f}.crt`), keyPath: join(dir, 'users', `${f}.key`), commonName: user, organizations: groups, usages: ['client'], days } }];
    }
    default:
      throw new Error(`unknown certificate kind ${JSON.stringify(kind)} (want one of ${COMPONENT_KINDS.join(', ')})`);
  }
}

/** The client certificate a kubeconfig of this kind embeds. */
export function kubeconfigCertificate(dataDir: string, kind: KubeconfigKind, opts: ComponentOptions = {}): ComponentCertificate {
  if (!(KUBECONFIG_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`unknown kubeconfig kind ${JSON.stringify(kind)} (want one of ${KUBECONFIG_KINDS.join(', ')})`);
  }
  const certs = componentCertificates(dataDir, kind, opts);
  return certs.find((c) => c.spec.usages.includes('client'))!;
}

export function isComponentKind(s: string): s is ComponentKind {
  return (COMPONENT_KINDS as readonly string[]).includes(s);
}
