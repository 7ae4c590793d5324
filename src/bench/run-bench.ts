/**
 * `cnmlab bench [WORKLOAD…] [--captures] [--json] [--size small|full]`: runs BENCH.md's
 * workloads and prints one line of figures per workload (with `--json`, one JSON object per
 * line instead).
 *
 * Figures: datagrams delivered (and checked), wall seconds of the simulation run (building the
 * topology is timed separately, as ns-3's reference programs time only Simulator::Run),
 * delivered datagrams per wall second, device hops per wall second (frames links delivered),
 * router hops per wall second (W3), scheduler events per wall second, simulated seconds, the
 * process's peak RSS so far, and whether captures were on.
 *
 * Heads up: src/bench may not read a clock or the process (DESIGN.md "Determinism"), so the
 * caller injects `clock` (wall milliseconds) and `memory` (peak resident bytes); src/cli does.
 * Peak RSS is the process's high-water mark, so a workload's figure includes whatever the
 * workloads before it reached: run one workload per process to see its own.
 *
 * Exit status: 0 every workload passed its self-check; 1 one failed (its error is printed, the
 * others still run); 2 the command line is wrong.
 */
import { BenchCheckError } from './bench-error';
import { schedulerHold } from './scheduler-hold';
import { bridgeFanout } from './bridge-fanout';
import { overlayPair } from './overlay-pair';
import { routerChain, routerChain10k } from './router-chain';
import type { BenchSize, Workload, WorkloadMeasurement } from './workload';

/** What runBench needs from its caller. */
export interface BenchIo {
  /** Takes whole lines, each ending in "\n". */
  stdout(s: string): void;
  stderr(s: string): void;
  /** Wall-clock milliseconds (monotonic). */
  clock(): number;
  /** The process's peak resident set size so far, in bytes. */
  memory(): number;
}

/** Every workload, in the order they run. W4 swarm-scale needs the Docker swarm, which does not exist yet. */
export const WORKLOADS: readonly Workload[] = [schedulerHold, bridgeFanout, overlayPair, routerChain, routerChain10k];

export const BENCH_DEFAULTS = {
  size: 'full' as BenchSize,
  captures: false,
  json: false,
} as const;

export interface BenchOptions {
  workloads: Workload[];
  size: BenchSize;
  captures: boolean;
  json: boolean;
  help: boolean;
}

export const BENCH_USAGE = `usage: cnmlab bench [WORKLOAD...] [--captures] [--json] [--size small|full]
  WORKLOAD   ${WORKLOADS.map((w) => `${w.id} (${w.name})`).join(', ')}; default: all
  --captures tap every link into a pcap writer whose bytes are counted and discarded
  --json     one JSON object per workload instead of a line of text
  --size     full (BENCH.md's sizes, the default) or small (about 1 %, a quick self-check)
`;

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

function findWorkload(arg: string): Workload {
  const key = arg.toLowerCase();
  const w = WORKLOADS.find((x) => x.id.toLowerCase() === key || x.name === key);
  if (!w) throw new BenchUsageError(`unknown workload "${arg}" (known: ${WORKLOADS.map((x) => `${x.id} ${x.name}`).join(', ')})`);
  return w;
}

/** Parses the arguments after `bench`. Throws BenchUsageError. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const opts: BenchOptions = { workloads: [], size: BENCH_DEFAULTS.size, captures: BENCH_DEFAULTS.captures, json: BENCH_DEFAULTS.json, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--captures') opts.captures = true;
    else if (arg === '--json') opts.json = true;
    else if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg === '--size' || arg.startsWith('--size=')) {
      const value = arg === '--size' ? argv[++i] : arg.slice('--size='.length);
      if (value !== 'small' && value !== 'full') throw new BenchUsageError(`--size takes small or full, not ${value === undefined ? 'nothing' : `"${value}"`}`);
      opts.size = value;
    } else if (arg.startsWith('-')) throw new BenchUsageError(`unknown option ${arg}`);
    else {
      const w = findWorkload(arg);
      if (!opts.workloads.includes(w)) opts.workloads.push(w);
    }
  }
  if (opts.workloads.length === 0) opts.workloads = [...WORKLOADS];
  else opts.workloads.sort((a, b) => WORKLOADS.indexOf(a) - WORKLOADS.indexOf(b));
  return opts;
}

/** One workload's figures, as `--json` prints them. */
export interface BenchResult {
  workload: string;
  name: string;
  size: BenchSize;
  captures: boolean;
  ok: true;
  /** The figure BENCH.md reads first, per wall second. */
  headline: { figure: string; perSecond: number };
  /** Datagrams delivered and checked (W0: hold operations). */
  delivered: number;
  expected: number;
  wallSeconds: number;
  setupSeconds: number;
  /** Delivered datagrams per wall second (null for W0, which has none). */
  datagramsPerSecond: number | null;
  hops: number;
  hopsPerSecond: number;
  routerHops: number | null;
  routerHopsPerSecond: number | null;
  events: number;
  eventsPerSecond: number;
  simSeconds: number;
  peakRssBytes: number;
  capturedFrames: number;
  captureBytes: number;
}

export interface BenchFailure {
  workload: string;
  name: string;
  size: BenchSize;
  captures: boolean;
  ok: false;
  error: string;
}

const HEADLINE_NAMES = { events: 'events / wall s', datagrams: 'delivered datagrams / wall s', routerHops: 'router hops / wall s' } as const;

/** Turns a measurement into the reported figures. */
export function benchResult(w: Workload, size: BenchSize, captures: boolean, m: WorkloadMeasurement, peakRssBytes: number): BenchResult {
  const wall = m.runMs / 1000;
  const rate = (n: number): number => (wall > 0 ? Math.round(n / wall) : 0);
  const isScheduler = w.headline === 'events';
  const result: BenchResult = {
    workload: w.id,
    name: w.name,
    size,
    captures,
    ok: true,
    headline: { figure: HEADLINE_NAMES[w.headline], perSecond: 0 },
    delivered: m.delivered,
    expected: m.expected,
    wallSeconds: round(wall, 4),
    setupSeconds: round(m.setupMs / 1000, 4),
    datagramsPerSecond: isScheduler ? null : rate(m.delivered),
    hops: m.hops,
    hopsPerSecond: rate(m.hops),
    routerHops: m.routerHops ?? null,
    routerHopsPerSecond: m.routerHops === undefined ? null : rate(m.routerHops),
    events: m.events,
    eventsPerSecond: rate(m.events),
    simSeconds: round(m.simNs / 1e9, 9),
    peakRssBytes,
    capturedFrames: m.capturedFrames,
    captureBytes: m.captureBytes,
  };
  result.headline.perSecond = w.headline === 'events' ? result.eventsPerSecond
    : w.headline === 'routerHops' ? result.routerHopsPerSecond! : result.datagramsPerSecond!;
  return result;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** 1234567 → "1,234,567". */
function grouped(n: number): string {
  const s = String(Math.round(n));
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The one-line text form. */
export function formatBenchLine(r: BenchResult): string {
  const parts: string[] = [];
  const what = r.datagramsPerSecond === null ? 'holds' : 'datagrams';
  parts.push(`${grouped(r.delivered)}/${grouped(r.expected)} ${what} checked`);
  parts.push(`wall ${r.wallSeconds.toFixed(3)} s (setup ${r.setupSeconds.toFixed(3)} s)`);
  if (r.datagramsPerSecond !== null) parts.push(`${grouped(r.datagramsPerSecond)} datagrams/s`);
  if (r.routerHopsPerSecond !== null) parts.push(`${grouped(r.routerHopsPerSecond)} router hops/s`);
  if (r.datagramsPerSecond !== null) parts.push(`${grouped(r.hopsPerSecond)} hops/s`);
  parts.push(`${grouped(r.eventsPerSecond)} events/s`);
  parts.push(`sim ${r.simSeconds.toFixed(6)} s`);
  parts.push(`peak RSS ${Math.round(r.peakRssBytes / (1024 * 1024))} MiB`);
  parts.push(`captures ${r.captures ? `on (${grouped(r.capturedFrames)} frames, ${grouped(r.captureBytes)} pcap bytes)` : 'off'}`);
  return `${`${r.workload} ${r.name}`.padEnd(24)} ${grouped(r.headline.perSecond)} ${r.headline.figure}: ${parts.join(', ')}`;
}

/** Runs `cnmlab bench`; resolves to the exit status. */
export async function runBench(argv: readonly string[], io: BenchIo): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv);
  } catch (e) {
    if (!(e instanceof BenchUsageError)) throw e;
    io.stderr(`cnmlab bench: ${e.message}\n${BENCH_USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.stdout(BENCH_USAGE);
    return 0;
  }
  let status = 0;
  for (const w of opts.workloads) {
    let m: WorkloadMeasurement;
    try {
      m = w.run({ size: opts.size, captures: opts.captures, clock: () => io.clock() });
    } catch (e) {
      if (!(e instanceof BenchCheckError)) throw e;
      status = 1;
      const failure: BenchFailure = { workload: w.id, name: w.name, size: opts.size, captures: opts.captures, ok: false, error: e.message };
      if (opts.json) io.stdout(`${JSON.stringify(failure)}\n`);
      io.stderr(`cnmlab bench: ${e.message}\n`);
      continue;
    }
    const r = benchResult(w, opts.size, opts.captures, m, io.memory());
    io.stdout(opts.json ? `${JSON.stringify(r)}\n` : `${formatBenchLine(r)}\n`);
    // Let the caller's output drain between workloads.
    await Promise.resolve();
  }
  return status;
}
