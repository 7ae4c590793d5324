/**
 * W0 `scheduler-hold` (BENCH.md): the scheduler alone, in the classic "hold" model of ns-3's
 * scheduler benchmark (utils/bench-scheduler). A population of pending events is kept
 * constant: every event that runs schedules one more with an exponentially distributed delay
 * (mean 100 ns), until 1,000,000 holds have run.
 *
 * The delays are drawn from the workload's Rng stream before the timed run, into a ring the
 * events walk through, so the figure is the scheduler's and not the generator's. Each event
 * carries its due time as its argument and checks, when it runs, that the clock shows exactly
 * that time and never went backwards; at the end exactly `holds` events must have run and the
 * population must still be pending.
 */
import { Rng, Scheduler } from '../sim';
import { BenchCheckError } from './bench-error';
import type { BenchSize, Workload, WorkloadContext, WorkloadMeasurement } from './workload';

export const SCHEDULER_HOLD_SIZES: Record<BenchSize, { population: number; holds: number; meanNs: number }> = {
  full: { population: 100_000, holds: 1_000_000, meanNs: 100 },
  small: { population: 1_000, holds: 10_000, meanNs: 100 },
};

/** Pre-drawn delays (a power of two, so the ring index is a mask). */
const DELAY_RING = 1 << 18;

export const schedulerHold: Workload = {
  id: 'W0',
  name: 'scheduler-hold',
  headline: 'events',
  description: 'scheduler alone: 100,000 pending events, 1,000,000 holds, exponential delays of mean 100 ns',
  run(ctx: WorkloadContext): WorkloadMeasurement {
    const t0 = ctx.clock();
    const { population, holds, meanNs } = SCHEDULER_HOLD_SIZES[ctx.size];
    const rng = Rng.fromSeed(1).fork('bench:scheduler-hold');
    const delays = new Float64Array(DELAY_RING);
    for (let i = 0; i < DELAY_RING; i++) delays[i] = Math.round(rng.exponential(meanNs));
    const s = new Scheduler();
    let k = 0;
    let last = 0;
    let faults = 0;
    const hold = (due: number): void => {
      const now = s.now;
      if (now !== due || now < last) faults++;
      last = now;
      const d = delays[k++ & (DELAY_RING - 1)]!;
      s.schedule(d, hold, now + d);
    };
    for (let i = 0; i < population; i++) {
      const d = delays[k++ & (DELAY_RING - 1)]!;
      s.schedule(d, hold, d);
    }
    const setupMs = ctx.clock() - t0;
    const t1 = ctx.clock();
    const r = s.run({ maxEvents: holds });
    const runMs = ctx.clock() - t1;
    const name = 'W0 scheduler-hold';
    if (faults > 0) throw new BenchCheckError(name, `${faults} event(s) ran at a time other than their due time, or out of order`);
    if (r.executed !== holds) throw new BenchCheckError(name, `${r.executed} holds ran, not ${holds}`);
    if (s.pending !== population) throw new BenchCheckError(name, `${s.pending} events pending at the end, not the population of ${population}`);
    return {
      delivered: r.executed, expected: holds, hops: 0, routerHops: undefined, events: r.executed,
      simNs: s.now, runMs, setupMs, capturedFrames: 0, captureBytes: 0,
    };
  },
};
