// Runs `cnmlab bench --json ARGS` N times, each in a fresh process, and prints per workload the
// best and the median of each figure: on a shared, noisy machine the best of a few runs is the
// steadiest figure for comparing a change before and after (BENCH.md: compare ratios from one
// session, never absolute times from different ones).
// Usage: node scripts/bench-best.mjs N [WORKLOAD...] [--captures] [--size small|full]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [n, ...args] = process.argv.slice(2);
const runs = Number(n);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('usage: node scripts/bench-best.mjs N [WORKLOAD...] [--captures] [--size small|full]');
  process.exit(2);
}
const bench = fileURLToPath(new URL('./bench.mjs', import.meta.url));
const results = new Map();
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, [bench, '--json', ...args], { encoding: 'utf8' });
  for (const line of out.trim().split('\n')) {
    const r = JSON.parse(line);
    if (!r.ok) throw new Error(`${r.workload}: ${r.error}`);
    const list = results.get(r.workload) ?? [];
    list.push(r);
    results.set(r.workload, list);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => Math.round(x).toLocaleString('en-US');
for (const [id, list] of results) {
  const h = list.map((r) => r.headline.perSecond);
  const e = list.map((r) => r.eventsPerSecond);
  const d = list.map((r) => r.datagramsPerSecond ?? 0);
  console.log(`${id.padEnd(7)} ${list[0].headline.figure}: best ${fmt(Math.max(...h))}, median ${fmt(median(h))}`
    + ` | datagrams/s best ${fmt(Math.max(...d))} | events/s best ${fmt(Math.max(...e))} | captures ${list[0].captures ? 'on' : 'off'} | runs ${list.length}`);
}
