// /version: Kumo reports the Kubernetes release whose API it serves, so clients (and kubectl's
// version dispatcher) pick a matching client. --emulated-version selects another minor.
export interface VersionInfo {
  major: string; minor: string; gitVersion: string; gitCommit: string; gitTreeState: string;
  buildDate: string; goVersion: string; compiler: string; platform: string;
}

export const KUBERNETES_VERSION = '1.33.1';
export const KUMO_VERSION = '0.1.0';

export function versionInfo(emulated?: string): VersionInfo {
  let v = KUBERNETES_VERSION;
  if (emulated) {
    const m = /^v?1\.(\d+)(?:\.(\d+))?$/.exec(emulated);
    if (!m || Number(m[1]) < 27 || Number(m[1]) > 33) {
      throw new Error(`--emulated-version ${emulated}: must be a Kubernetes 1.27 to 1.33 version such as 1.31`);
    }
    v = `1.${m[1]}.${m[2] ?? '0'}`;
  }
  const [major, minor] = v.split('.');
  return {
    major, minor, gitVersion: `v${v}+kumo`, gitCommit: 'kumo', gitTreeState: 'clean',
    buildDate: '2026-11-23T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
