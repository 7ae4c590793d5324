// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`),
// with their share of the samples and where they are defined.
// Usage: node scripts/cpu-profile-top.mjs FILE.cpuprofile [N] [FUNCTION]
//   With FUNCTION (a name as listed), prints that function's hottest source lines instead.
import { readFileSync } from 'node:fs';

const [file, n = '30', fn] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpu-profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const total = profile.samples.length;
const byFunction = new Map();
for (const [id, count] of selfSamples) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = `${url.replace(/^.*\/dist\//, '').replace(/^file:\/\//, '')}:${lineNumber + 1}`;
  const key = `${functionName || '(anonymous)'} ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + count);
}
if (fn !== undefined) {
  const lines = new Map();
  let where = '';
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== fn || !node.positionTicks) continue;
    where = node.callFrame.url.replace(/^.*\/dist\//, '');
    for (const t of node.positionTicks) lines.set(t.line, (lines.get(t.line) ?? 0) + t.ticks);
  }
  console.log(`${fn} in ${where} (lines of the compiled file), ${total} samples in the profile`);
  for (const [line, ticks] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    console.log(`${((100 * ticks) / total).toFixed(1).padStart(5)}%  line ${line}`);
  }
  process.exit(0);
}
const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(n));
console.log(`${total} samples`);
for (const [key, count] of rows) console.log(`${((100 * count) / total).toFixed(1).padStart(5)}%  ${key}`);
