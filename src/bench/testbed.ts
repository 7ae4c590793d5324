/**
 * What every packet workload shares: a fresh simulation (scheduler, seeded RNG, silent trace
 * bus), the links it builds (so that hops can be counted and every link captured), and a timed
 * run of the scheduler.
 *
 * Hops: a "device hop" is one frame delivered by one link from one device to the next (a
 * scheduled event in the emulator, a channel delivery in ns-3). They are read from the links'
 * own counters after the run, so counting costs nothing per frame.
 *
 * Captures (`--captures`): every link the workload built is wrapped by a `LinkCapture` into its
 * own `PcapWriter` (one capture file per link, as a scenario run writes them), whose bytes go to a
 * `CountingSink`. The capture wraps the devices already attached, so it is added after the
 * topology is complete and before any frame moves.
 */
import { Rng, Scheduler, TraceBus, type Nanos } from '../sim';
import { Link, LinkCapture, type LinkParams } from '../devices';
import { PcapWriter } from '../pcap';
import { BenchCheckError } from './bench-error';
import { CountingSink } from './counting-sink';

/** Defaults of the benchmark topologies. */
export const TESTBED_DEFAULTS = {
  /** Every workload starts from this seed (the figures must not depend on it, the checks not either). */
  seed: 1,
  /** BENCH.md W1/W3: veths of 10 Gbit/s with zero delay (W2's links too, for comparable figures). */
  link: { rate: 10e9, delay: 0 } as Partial<LinkParams>,
} as const;

export interface TimedRun {
  /** Wall milliseconds spent in `Scheduler.run`. */
  runMs: number;
  /** Events executed. */
  events: number;
  /** Simulated nanoseconds covered. */
  simNs: Nanos;
}

export class Testbed {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly trace = new TraceBus();
  readonly links: Link[] = [];
  readonly #workload: string;
  readonly #captures: { writer: PcapWriter; sink: CountingSink; capture: LinkCapture }[] = [];

  constructor(workload: string, seed: number = TESTBED_DEFAULTS.seed) {
    this.#workload = workload;
    this.rng = Rng.fromSeed(seed);
  }

  /** A link of the topology (default TESTBED_DEFAULTS.link over the veth defaults). */
  link(names: readonly [string, string], params: Partial<LinkParams> = TESTBED_DEFAULTS.link): Link {
    const link = new Link(this, names, params);
    this.links.push(link);
    return link;
  }

  /** Wraps every link in a capture (see the file comment). Call once the topology is built. */
  captureAll(): void {
    for (const link of this.links) {
      const sink = new CountingSink();
      const writer = new PcapWriter(sink);
      const capture = new LinkCapture(this.scheduler, link, { record: (time, frame) => writer.writePacket(time, frame) });
      this.#captures.push({ writer, sink, capture });
    }
  }

  /** Flushes the capture writers; returns frames recorded and pcap bytes produced. */
  finishCaptures(): { frames: number; bytes: number } {
    let frames = 0;
    let bytes = 0;
    for (const c of this.#captures) {
      c.writer.flush();
      frames += c.capture.frames;
      bytes += c.sink.bytes;
    }
    return { frames, bytes };
  }

  /** Frames delivered by every link, both directions. */
  hops(): number {
    let n = 0;
    for (const l of this.links) n += l.stats.aToB.frames + l.stats.bToA.frames;
    return n;
  }

  /**
   * Runs the scheduler until `until`, timed by `clock` (wall milliseconds), stopping a runaway
   * after `maxEvents` (BenchCheckError).
   */
  run(until: Nanos, maxEvents: number, clock: () => number): TimedRun {
    const s = this.scheduler;
    const before = s.stats.executed;
    const simStart = s.now;
    const t0 = clock();
    const r = s.run({ until, maxEvents });
    const runMs = clock() - t0;
    if (r.stoppedBy === 'maxEvents') {
      throw new BenchCheckError(this.#workload, `still busy after ${maxEvents} events at ${s.now} ns: a runaway (storm or loop)`);
    }
    return { runMs, events: s.stats.executed - before, simNs: s.now - simStart };
  }
}
