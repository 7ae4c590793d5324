/**
 * `cnmlab bench`: src/bench runs the workloads (BENCH.md); this gives it what it may not take
 * itself (DESIGN.md "Determinism"): the wall clock and the process's peak memory.
 */
import { performance } from 'node:perf_hooks';
import { runBench } from '../bench';

/** Where `cnmlab bench` writes (the CLI's io, or a test's). */
export interface BenchCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs `cnmlab bench ARGS`; resolves to the exit status (0 ok, 1 a self-check failed, 2 usage). */
export function benchCommand(args: readonly string[], io: BenchCommandIo): Promise<number> {
  return runBench(args, {
    stdout: (t) => io.stdout(t),
    stderr: (t) => io.stderr(t),
    clock: () => performance.now(),
    // getrusage(2) ru_maxrss: the peak resident set size, in KiB on Linux.
    memory: () => process.resourceUsage().maxRSS * 1024,
  });
}
