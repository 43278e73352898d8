// kumo CLI: one binary, a subcommand per component (kumo server, kumo apiserver, …).
const [cmd] = process.argv.slice(2);
if (!cmd || cmd === '--help' || cmd === '-h') {
  console.log('usage: kumo <server|version> [flags]');
  process.exit(cmd ? 0 : 1);
}
console.error(`kumo: unknown command "${cmd}"`);
process.exit(1);
