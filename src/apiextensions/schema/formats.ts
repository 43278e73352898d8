// String formats kube-openapi's strfmt registry checks on custom resources. Unknown formats (and
// formats upstream does not check, like int32 or int64 on numbers) pass.

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DURATION = /^([+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w))+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIPv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v) || !v.includes(':')) return false;
  try { new URL(`http://[${v}]/`); return true; } catch { return false; }
}

export function checkFormat(format: string, v: string): boolean {
  switch (format) {
    case 'date-time': return RFC3339.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T')));
    case 'date': return DATE.test(v) && !Number.isNaN(Date.parse(v));
    case 'uuid': case 'uuid3': case 'uuid4': case 'uuid5': return UUID.test(v);
    case 'hostname': return v.length <= 255 && HOSTNAME.test(v);
    case 'email': return EMAIL.test(v);
    case 'ipv4': return IPV4.test(v);
    case 'ipv6': return isIPv6(v);
    case 'cidr': {
      const [ip, bits, extra] = v.split('/');
      if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
      return IPV4.test(ip) ? Number(bits) <= 32 : isIPv6(ip) && Number(bits) <= 128;
    }
    case 'mac': return MAC.test(v);
    case 'byte': return BASE64.test(v);
    case 'duration': return DURATION.test(v);
    case 'uri': try { new URL(v); return true; } catch { return false; }
    default: return true;
  }
}
