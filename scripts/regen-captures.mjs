// Regenerates the bundled scenarios' captures: runs every scenarios/*.yaml with
// `cnmlab run --captures captures --quiet` and removes folders of captures/ that belong to no
// scenario any more. `npm run captures` builds first, then runs this.
// test/runner-captures.test.ts fails when the committed captures differ from what a run gives.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root); // paths in transcripts and errors read "scenarios/x.yaml"
const require = createRequire(import.meta.url);
const { main } = require('../dist/src/cli/main.js');
const { loadScenarioText } = require('../dist/src/scenario/index.js');

const files = existsSync('scenarios') ? readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).sort().map((f) => `scenarios/${f}`) : [];
const names = new Set();
for (const f of files) {
  try {
    names.add(loadScenarioText(readFileSync(f, 'utf8'), f).name);
  } catch {
    // An invalid scenario: `cnmlab run` below reports it.
  }
}
if (existsSync('captures')) {
  for (const n of readdirSync('captures')) {
    if (n.startsWith('.') || names.has(n)) continue;
    rmSync(join('captures', n), { recursive: true, force: true });
    console.log(`removed captures/${n}/ (no scenario is named ${n})`);
  }
}
if (files.length === 0) {
  console.log('no scenarios in scenarios/: nothing to capture');
} else {
  process.exitCode = await main(['run', ...files, '--captures', 'captures', '--quiet']);
}
