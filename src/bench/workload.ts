/**
 * The shape of a benchmark workload (BENCH.md "Workloads") and of what one run of it measures.
 */
export type BenchSize = 'small' | 'full';

export interface WorkloadContext {
  /** 'full' is BENCH.md's definition; 'small' is about 1 % of it, for the test suite. */
  readonly size: BenchSize;
  /** Tap every link into a pcap writer (on a sink that counts and discards). */
  readonly captures: boolean;
  /** Wall-clock milliseconds (injected: src/bench may not read a clock itself). */
  readonly clock: () => number;
}

export interface WorkloadMeasurement {
  /** Datagrams (W0: hold operations) that arrived and passed every check. */
  delivered: number;
  /** What the workload sent (delivered must equal it, or the workload has thrown). */
  expected: number;
  /** Frames delivered by links from one device to the next (0 for W0). */
  hops: number;
  /** Datagrams forwarded by routers (W3's headline), when the workload has routers. */
  routerHops: number | undefined;
  /** Scheduler events executed during the timed run. */
  events: number;
  /** Simulated nanoseconds the timed run covered. */
  simNs: number;
  /** Wall milliseconds of the timed run (Scheduler.run only). */
  runMs: number;
  /** Wall milliseconds spent building the topology before it. */
  setupMs: number;
  /** With captures: frames recorded and pcap bytes produced. */
  capturedFrames: number;
  captureBytes: number;
}

/** Which figure BENCH.md reads first for a workload. */
export type HeadlineFigure = 'events' | 'datagrams' | 'routerHops';

export interface Workload {
  /** BENCH.md's id: W0, W1, W2, W3, W3-10k. */
  readonly id: string;
  readonly name: string;
  readonly headline: HeadlineFigure;
  /** One line: what the workload is, at full size. */
  readonly description: string;
  /** Builds, runs and self-checks; throws BenchCheckError when the result is wrong. */
  run(ctx: WorkloadContext): WorkloadMeasurement;
}
