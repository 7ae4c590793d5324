// BENCH.md: benchmarks are never timed tests; the suite runs every workload at a tiny size to
// prove it still builds, runs and passes its own self-check (every datagram delivered intact).
import { expect } from 'chai';
import {
  BenchCheckError, DatagramStream, StreamChecker, WORKLOADS, parseBenchArgs, runBench,
  type BenchResult, type BenchIo,
} from '../src/bench';
import { Rng, Scheduler, TraceBus, us } from '../src/sim';
import { Link, Nic } from '../src/devices';
import { NetworkNamespace } from '../src/stack';

/** A clock that advances 1 ms per reading, and a fixed memory figure: the output is then reproducible. */
function fakeIo(): BenchIo & { out: string[]; err: string[] } {
  let t = 0;
  const out: string[] = [];
  const err: string[] = [];
  return {
    out, err,
    stdout: (s) => { out.push(s); },
    stderr: (s) => { err.push(s); },
    clock: () => (t += 1),
    memory: () => 64 * 1024 * 1024,
  };
}

describe('bench workloads (BENCH.md, --size small)', () => {
  for (const w of WORKLOADS) {
    it(`${w.id} ${w.name} delivers every datagram intact, with and without captures`, () => {
      for (const captures of [false, true]) {
        const m = w.run({ size: 'small', captures, clock: () => 0 });
        expect(m.delivered, `captures ${captures}`).to.equal(m.expected);
        expect(m.expected).to.be.greaterThan(0);
        expect(m.events).to.be.at.least(m.delivered);
        if (w.id !== 'W0') {
          // Every datagram crosses at least two links (sender → device → receiver).
          expect(m.hops).to.be.at.least(2 * m.delivered);
          if (captures) {
            expect(m.capturedFrames).to.equal(m.hops);
            expect(m.captureBytes).to.be.greaterThan(m.capturedFrames * 16);
          } else {
            expect(m.capturedFrames).to.equal(0);
          }
        }
        if (w.id.startsWith('W3')) expect(m.routerHops).to.equal(8 * m.delivered);
      }
    });
  }

  it('runBench --json prints one self-checked JSON object per workload', async () => {
    const io = fakeIo();
    const code = await runBench(['--size', 'small', '--json', 'W1', 'W3'], io);
    expect(code).to.equal(0);
    expect(io.err).to.deep.equal([]);
    const results = io.out.map((l) => JSON.parse(l) as BenchResult);
    expect(results.map((r) => r.workload)).to.deep.equal(['W1', 'W3']);
    for (const r of results) {
      expect(r.ok).to.equal(true);
      expect(r.delivered).to.equal(r.expected);
      expect(r.captures).to.equal(false);
      expect(r.peakRssBytes).to.equal(64 * 1024 * 1024);
      // The fake clock advanced 1 ms across the run: every rate is a count per 0.001 s.
      expect(r.wallSeconds).to.equal(0.001);
      expect(r.eventsPerSecond).to.equal(r.events * 1000);
    }
    expect(results[0]!.headline).to.deep.equal({ figure: 'delivered datagrams / wall s', perSecond: results[0]!.delivered * 1000 });
    expect(results[1]!.headline.figure).to.equal('router hops / wall s');
    expect(results[1]!.routerHopsPerSecond).to.equal(results[1]!.delivered * 8 * 1000);
  });

  it('runBench prints one line per workload, captures on or off', async () => {
    const io = fakeIo();
    expect(await runBench(['W0', '--captures', '--size=small'], io)).to.equal(0);
    expect(io.out).to.have.length(1);
    expect(io.out[0]).to.match(/^W0 scheduler-hold +10,000,000 events \/ wall s: 10,000\/10,000 holds checked, .*peak RSS 64 MiB, captures on/);
  });

  it('rejects unknown workloads and options with exit status 2', async () => {
    for (const args of [['W9'], ['--fast'], ['--size', 'huge'], ['--size']]) {
      const io = fakeIo();
      expect(await runBench(args, io), args.join(' ')).to.equal(2);
      expect(io.out).to.deep.equal([]);
      expect(io.err.join('')).to.match(/^cnmlab bench: .*\nusage: cnmlab bench/);
    }
  });

  it('parses workload ids and names in any order, running them in BENCH.md order', () => {
    const o = parseBenchArgs(['router-chain', 'w1', 'W3', '--json']);
    expect(o.workloads.map((w) => w.id)).to.deep.equal(['W1', 'W3']);
    expect(o).to.include({ json: true, captures: false, size: 'full' });
    expect(parseBenchArgs([]).workloads.map((w) => w.id)).to.deep.equal(['W0', 'W1', 'W2', 'W3', 'W3-10k']);
  });
});

describe('bench self-check (StreamChecker)', () => {
  /** Two namespaces on a cable; a stream of `count` datagrams from a to b, with `tamper` applied on the wire. */
  function stream(count: number, tamper: (frame: Uint8Array, index: number) => Uint8Array[]): StreamChecker {
    const sim = { scheduler: new Scheduler(), rng: Rng.fromSeed(1), trace: new TraceBus() };
    const a = new NetworkNamespace(sim, 'a');
    const b = new NetworkNamespace(sim, 'b');
    // Zero delay: ARP resolves before the next datagram (with 25 µs, unres_qlen = 3 would drop some).
    const link = new Link(sim, ['a:eth0', 'b:eth0'], { delay: 0 });
    a.addInterface(new Nic(sim, link.a, { name: 'eth0', mac: 0x0200_0000_000a }));
    const nicB = new Nic(sim, link.b, { name: 'eth0', mac: 0x0200_0000_000b });
    b.addInterface(nicB);
    a.addAddress('eth0', '10.0.0.1/24');
    b.addAddress('eth0', '10.0.0.2/24');
    // Tamper with UDP frames as they arrive at b (ARP passes untouched).
    let udpIndex = 0;
    const deliver = nicB.receiveFrame.bind(nicB);
    link.b.setReceiver({
      receiveFrame: (frame) => {
        if (frame[12] === 0x08 && frame[13] === 0x00) for (const f of tamper(frame, udpIndex++)) deliver(f);
        else deliver(frame);
      },
    });
    const checker = new StreamChecker('test');
    b.udp.bind(9).onMessage(checker.receive);
    const socket = a.udp.bind(0);
    new DatagramStream(sim.scheduler, { flow: 7, socket, dstIp: 0x0a00_0002, count, start: 0, interval: us(10) });
    checker.expect({ flow: 7, count, srcIp: 0x0a00_0001, srcPort: socket.localPort, dstIp: 0x0a00_0002 });
    sim.scheduler.run({ until: us(10) * count + us(1000) });
    return checker;
  }

  /** A copy of a frame with one payload byte flipped and the UDP checksum cleared (so only our check can see it). */
  function corrupt(frame: Uint8Array, payloadByte: number): Uint8Array {
    const f = frame.slice();
    f[14 + 20 + 8 + payloadByte]! ^= 0x01;
    f[14 + 20 + 6] = 0;
    f[14 + 20 + 7] = 0;
    return f;
  }

  it('passes a clean stream', () => {
    const c = stream(50, (f) => [f]);
    expect(() => c.verify()).not.to.throw();
    expect(c.delivered).to.equal(50);
    expect(c.expected).to.equal(50);
  });

  it('fails on a missing datagram, naming it', () => {
    const c = stream(50, (f, i) => (i === 17 ? [] : [f]));
    expect(() => c.verify()).to.throw(BenchCheckError, /flow 7 .* delivered 49 of 50 datagrams; the first missing is number 17/);
  });

  it('fails on a duplicated datagram', () => {
    const c = stream(20, (f, i) => (i === 3 ? [f, f] : [f]));
    expect(() => c.verify()).to.throw(BenchCheckError, /datagram 3 arrived twice/);
  });

  it('fails on a corrupted payload byte, whichever it is', () => {
    const expected: [number, RegExp][] = [
      [2, /1 bad datagram\(s\); the first: a datagram without the benchmark magic/],
      [6, /1 bad datagram\(s\); the first: a datagram of flow 263, which this receiver does not expect/],
      [11, /1 bad datagram\(s\); the first: flow 7: datagram 5 arrived twice/],
      [8, /1 bad datagram\(s\); the first: flow 7: sequence number 16777220 beyond the 10 sent/],
      [30, /1 bad datagram\(s\); the first: flow 7: payload byte 30 differs from the pattern/],
      [63, /1 bad datagram\(s\); the first: flow 7: payload byte 63 differs from the pattern/],
    ];
    for (const [byte, message] of expected) {
      const c = stream(10, (f, i) => (i === 4 ? [corrupt(f, byte)] : [f]));
      expect(() => c.verify(), `byte ${byte}`).to.throw(BenchCheckError, message);
    }
  });

});
