// Runs `cnmlab bench` from the compiled dist/ without going through the CLI's dispatcher, so
// that it can be started under `node --cpu-prof` (see scripts/profile-bench.sh).
// Usage: node scripts/bench.mjs [WORKLOAD...] [--captures] [--json] [--size small|full]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { benchCommand } = require('../dist/src/cli/bench-command.js');

const code = await benchCommand(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
process.exitCode = code;
