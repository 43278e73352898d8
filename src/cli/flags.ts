// Flag parsing in upstream's style: --name=value or --name value, booleans as --name or
// --name=false. Unknown flags are an error naming the flag, as cobra reports them.
export interface FlagSpec {
  name: string;
  type: 'string' | 'number' | 'bool';
  default?: string | number | boolean;
  help: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export function parseFlags(command: string, args: string[], specs: FlagSpec[]): { flags: FlagValues; rest: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: FlagValues = {};
  for (const s of specs) flags[s.name] = s.default;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { rest.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new Error(`unknown flag: --${name}\nRun 'kumo ${command} --help' for usage.`);
    let raw: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (spec.type === 'bool') {
      flags[name] = raw === undefined ? true : raw === 'true' || raw === '1';
      continue;
    }
    if (raw === undefined) {
      raw = args[++i];
      if (raw === undefined) throw new Error(`flag needs an argument: --${name}`);
    }
    if (spec.type === 'number') {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new Error(`invalid argument "${raw}" for "--${name}" flag: must be an integer`);
      flags[name] = n;
    } else flags[name] = raw;
  }
  return { flags, rest };
}

export function usage(command: string, summary: string, specs: FlagSpec[]): string {
  const lines = [`${summary}\n`, `Usage:\n  kumo ${command} [flags]\n`, 'Flags:'];
  const left = (s: FlagSpec) => `      --${s.name}${s.type === 'bool' ? '' : ` ${s.type}`}`;
  const width = Math.max(...specs.map((s) => left(s).length));
  for (const s of specs) {
    const d = s.default === undefined || s.default === '' ? '' : ` (default ${JSON.stringify(s.default)})`;
    lines.push(`${left(s).padEnd(width)}   ${s.help}${d}`);
  }
  return lines.join('\n');
}
