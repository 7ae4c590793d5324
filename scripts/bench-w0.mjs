// BENCH.md W0 `scheduler-hold`: the scheduler alone. A population of 100,000 pending events;
// each executed event schedules one more (a "hold" operation) with an exponential delay of
// mean 100 ns, for 1,000,000 holds (the parameters of ns-3's scheduler benchmark).
// Runs on the compiled dist/ (run `node scripts/build.mjs` first). Prints events per wall second,
// and, measured in the same process, the same workload on a plain typed-array binary heap
// (the usual design) so the ratio is comparable across noisy machines.
// Usage: node scripts/bench-w0.mjs [--population N] [--holds N] [--mean NS] [--repeat N]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Scheduler, Rng } = require('../dist/src/sim/index.js');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const population = opt('population', 100_000);
const holds = opt('holds', 1_000_000);
const meanNs = opt('mean', 100);
const repeat = opt('repeat', 3);

// Delays are drawn before timing, so the headline figure is the scheduler's, not the RNG's; a
// second figure draws each delay from the Rng inside the callback, as a device would.
const rng = Rng.fromSeed(1).fork('bench-w0');
const delays = new Float64Array(1 << 20);
for (let i = 0; i < delays.length; i++) delays[i] = Math.round(rng.exponential(meanNs));
const mask = delays.length - 1;

function runScheduler(drawInline) {
  const s = new Scheduler();
  const live = Rng.fromSeed(1).fork('bench-w0-live');
  let k = 0;
  const hold = drawInline
    ? () => { s.schedule(Math.round(live.exponential(meanNs)), hold); }
    : () => { s.schedule(delays[k++ & mask], hold); };
  for (let i = 0; i < population; i++) s.schedule(delays[k++ & mask], hold);
  const t0 = performance.now();
  const r = s.run({ maxEvents: holds });
  const wall = (performance.now() - t0) / 1000;
  if (r.executed !== holds || s.pending !== population) throw new Error(`W0 self-check failed: ${JSON.stringify(r)} pending ${s.pending}`);
  return holds / wall;
}

/** Baseline: a binary heap over Float64Array (time, seq) + Int32Array slot, callbacks by slot. */
function runBinaryHeap() {
  const cap = population + 16;
  const ht = new Float64Array(cap), hs = new Float64Array(cap), hl = new Int32Array(cap);
  const cbs = new Array(cap).fill(null);
  let n = 0, seq = 0, now = 0, k = 0;
  const push = (time, slot) => {
    const q = seq++;
    let i = n++;
    while (i > 0) { const p = (i - 1) >> 1; if (ht[p] <= time) break; ht[i] = ht[p]; hs[i] = hs[p]; hl[i] = hl[p]; i = p; }
    ht[i] = time; hs[i] = q; hl[i] = slot;
  };
  const pop = () => {
    const slot = hl[0]; now = ht[0];
    const m = --n; const t = ht[m], q = hs[m], l = hl[m];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1; if (c >= m) break;
      if (c + 1 < m && (ht[c + 1] < ht[c] || (ht[c + 1] === ht[c] && hs[c + 1] < hs[c]))) c++;
      if (ht[c] > t || (ht[c] === t && hs[c] > q)) break;
      ht[i] = ht[c]; hs[i] = hs[c]; hl[i] = hl[c]; i = c;
    }
    ht[i] = t; hs[i] = q; hl[i] = l;
    return slot;
  };
  let slotOf = 0;
  const hold = (slot) => push(now + delays[k++ & mask], slot);
  for (let i = 0; i < population; i++) { cbs[i] = hold; push(delays[k++ & mask], slotOf++); }
  const t0 = performance.now();
  for (let j = 0; j < holds; j++) { const slot = pop(); cbs[slot](slot); }
  return holds / ((performance.now() - t0) / 1000);
}

const cases = [
  ['cnmlab Scheduler, pre-drawn delays', () => runScheduler(false)],
  ['cnmlab Scheduler, delays drawn from Rng', () => runScheduler(true)],
  ['baseline typed-array binary heap', runBinaryHeap],
];
console.log(`W0 scheduler-hold: population ${population}, ${holds} holds, exponential delays mean ${meanNs} ns`);
const best = {};
for (const [label, fn] of cases) {
  const figures = [];
  for (let i = 0; i < repeat; i++) figures.push(fn());
  best[label] = Math.max(...figures);
  console.log(`  ${label.padEnd(42)} best ${(best[label] / 1e6).toFixed(2)} M events/s  (runs: ${figures.map((f) => (f / 1e6).toFixed(2)).join(', ')})`);
}
console.log(`  ratio cnmlab / binary heap: ${(best[cases[0][0]] / best[cases[2][0]]).toFixed(2)}x`);
