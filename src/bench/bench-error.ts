/**
 * A workload's self-check failed: a datagram went missing, arrived twice, arrived corrupted or
 * at the wrong place, or the run did not end as it should. BENCH.md: "a fast wrong answer is a
 * failure", so the figures of a failed workload are never printed as if they counted.
 */
export class BenchCheckError extends Error {
  constructor(readonly workload: string, reason: string) {
    super(`${workload}: self-check failed: ${reason}`);
    this.name = 'BenchCheckError';
  }
}
