import { expect } from 'chai';
import { Link, VethPair, VETH_DEFAULTS, LAN_PORT_DEFAULTS, INTERNAL_LINK } from '../src/devices';
import { us } from '../src/sim';
import { Probe, collectTrace, mac, newSim, rawFrame, type Sim } from './devices-harness';

const A = mac('02:42:0a:00:00:02');
const B = mac('02:42:0a:00:00:03');

function pair(sim: Sim, params = {}): { link: Link; pa: Probe; pb: Probe } {
  const link = new Link(sim, ['h:a', 'h:b'], params);
  return { link, pa: new Probe(sim, link.a), pb: new Probe(sim, link.b) };
}

/** Sends `n` frames at t=0 from a to b on a fresh link and returns the arrival times at b. */
function arrivals(seed: number, params: object, n: number): number[] {
  const sim = newSim(seed);
  const { pa, pb } = pair(sim, params);
  for (let i = 0; i < n; i++) pa.send(rawFrame(B, A, 46 + (i % 7)));
  sim.scheduler.run();
  return pb.frames.map((f) => f.time);
}

describe('devices: Link (veth pair link model)', () => {
  it('delivers after the veth delay (25 µs) in both directions, as a scheduled event', () => {
    const sim = newSim();
    const { link, pa, pb } = pair(sim);
    const f1 = rawFrame(B, A);
    const f2 = rawFrame(A, B);
    pa.send(f1);
    pb.send(f2);
    expect(pb.count, 'nothing arrives before the scheduler runs').to.equal(0);
    sim.scheduler.run();
    expect(pb.frames).to.deep.equal([{ time: us(25), frame: f1 }]);
    expect(pa.frames).to.deep.equal([{ time: us(25), frame: f2 }]);
    expect(pb.frames[0]!.frame, 'the same immutable buffer, not a copy').to.equal(f1);
    expect(link.stats.aToB.frames).to.equal(1);
    expect(link.stats.aToB.bytes).to.equal(f1.length);
    expect(link.stats.bToA.frames).to.equal(1);
  });

  it('has the documented defaults', () => {
    expect(VETH_DEFAULTS).to.include({ delay: 25_000, jitter: 0, rate: 0, loss: 0, mtu: 1500, queueLimit: 1000 });
    expect(LAN_PORT_DEFAULTS).to.include({ delay: 10_000, rate: 1e9, mtu: 1500 });
    expect(INTERNAL_LINK).to.include({ delay: 0, rate: 0 });
    expect(VethPair).to.equal(Link);
  });

  it('a zero-delay link still delivers through the scheduler, not by recursion', () => {
    const sim = newSim();
    const { pa, pb } = pair(sim, INTERNAL_LINK);
    pa.send(rawFrame(B, A));
    expect(pb.count).to.equal(0);
    expect(sim.scheduler.pending).to.equal(1);
    sim.scheduler.run();
    expect(pb.frames.map((f) => f.time)).to.deep.equal([0]);
  });

  it('serialises at the link rate: back-to-back 1000-byte frames at 1 Gbit/s leave 8 µs apart', () => {
    const sim = newSim();
    const { pa, pb } = pair(sim, { rate: 1e9, delay: us(10) });
    for (let i = 0; i < 3; i++) pa.send(rawFrame(B, A, 986)); // 1000 bytes on the wire
    sim.scheduler.run();
    expect(pb.frames.map((f) => f.time)).to.deep.equal([18_000, 26_000, 34_000]);
  });

  it('drops beyond the queue limit and counts it as queue-full', () => {
    const sim = newSim();
    const { link, pa, pb } = pair(sim, { rate: 1e6, delay: 0, queueLimit: 2 });
    for (let i = 0; i < 5; i++) pa.send(rawFrame(B, A, 111)); // 125 bytes = 1 ms each at 1 Mbit/s
    // One frame on the wire and two waiting are accepted; the other two overflow.
    expect(link.stats.aToB.drops['queue-full']).to.equal(2);
    sim.scheduler.run({ until: 1_500_000 });
    // The first has gone: room for one more.
    pa.send(rawFrame(B, A, 111));
    pa.send(rawFrame(B, A, 111));
    expect(link.stats.aToB.drops['queue-full']).to.equal(3);
    sim.scheduler.run();
    expect(pb.frames.map((f) => f.time)).to.deep.equal([1_000_000, 2_000_000, 3_000_000, 4_000_000]);
  });

  it('loses the configured percentage of frames, the same ones for the same seed', () => {
    const n = 4000;
    const run = (seed: number): { lost: number; pattern: string } => {
      const sim = newSim(seed);
      const { link, pa, pb } = pair(sim, { loss: 30 });
      const frames = Array.from({ length: n }, (_, i) => rawFrame(B, A, 46 + (i % 100)));
      for (const f of frames) pa.send(f);
      sim.scheduler.run();
      const got = new Set(pb.frames.map((f) => f.frame));
      return { lost: link.stats.aToB.drops.loss, pattern: frames.map((f) => (got.has(f) ? '1' : '0')).join('') };
    };
    const r1 = run(7);
    expect(r1.lost).to.be.within(n * 0.26, n * 0.34);
    expect(run(7)).to.deep.equal(r1);
    expect(run(8).pattern).to.not.equal(r1.pattern);
  });

  it('drops frames larger than the MTU (+4 bytes for an 802.1Q tag)', () => {
    const sim = newSim();
    const { link, pa, pb } = pair(sim, { mtu: 1500 });
    pa.send(rawFrame(B, A, 1500)); // 1514: fits
    pa.send(rawFrame(B, A, 1501)); // 1515: too long
    const tagged = rawFrame(B, A, 1504, 0x8100); // 1518 with a tag: fits
    const taggedTooLong = rawFrame(B, A, 1505, 0x8100);
    pa.send(tagged);
    pa.send(taggedTooLong);
    sim.scheduler.run();
    expect(pb.frames.map((f) => f.frame.length)).to.deep.equal([1514, 1518]);
    expect(link.stats.aToB.drops.mtu).to.equal(2);
    expect(link.a.mtu).to.equal(1500);
    link.setParams({ mtu: 1450 });
    pa.send(rawFrame(B, A, 1451));
    expect(link.stats.aToB.drops.mtu).to.equal(3);
  });

  it('keeps transmit order with a constant delay, and jitter stays within ± jitter, reproducibly', () => {
    const sim = newSim();
    const { pa, pb } = pair(sim);
    const sent = Array.from({ length: 50 }, (_, i) => rawFrame(B, A, 46 + i));
    for (const f of sent) pa.send(f);
    sim.scheduler.run();
    expect(pb.frames.map((f) => f.frame)).to.deep.equal(sent);

    const params = { delay: us(100), jitter: us(40) };
    const t1 = arrivals(3, params, 200);
    for (const t of t1) expect(t).to.be.within(us(60), us(140));
    expect(new Set(t1).size, 'jitter varies the delay').to.be.greaterThan(50);
    expect(arrivals(3, params, 200)).to.deep.equal(t1);
  });

  it("one link's loss and jitter draws do not disturb another link's", () => {
    const run = (lossOnFirst: number): number[] => {
      const sim = newSim(11);
      const l1 = new Link(sim, ['h:x', 'h:y'], { loss: lossOnFirst, jitter: us(5) });
      const l2 = new Link(sim, ['h:p', 'h:q'], { jitter: us(5) });
      new Probe(sim, l1.b);
      const p2 = new Probe(sim, l2.b);
      for (let i = 0; i < 20; i++) {
        l1.a.transmit(rawFrame(B, A));
        l2.a.transmit(rawFrame(B, A));
      }
      sim.scheduler.run();
      return p2.frames.map((f) => f.time);
    };
    expect(run(50)).to.deep.equal(run(0));
  });

  it('drops everything while down, and frames to an end with no device, as link-down', () => {
    const sim = newSim();
    const events = collectTrace(sim, ['drop']);
    const { link, pa, pb } = pair(sim);
    link.up = false;
    pa.send(rawFrame(B, A));
    link.up = true;
    pa.send(rawFrame(B, A));
    link.up = false; // goes down while the frame is in flight
    sim.scheduler.run();
    expect(pb.count).to.equal(0);
    expect(link.stats.aToB.drops['link-down']).to.equal(2);
    const lonely = new Link(sim, ['h:c', 'h:d']);
    lonely.a.transmit(rawFrame(B, A));
    sim.scheduler.run();
    expect(lonely.stats.aToB.drops['link-down']).to.equal(1);
    expect(events.map((e) => e.reason)).to.deep.equal(['link-down', 'link-down', 'link-down']);
    expect(events[0]).to.include({ device: 'h:a--h:b', port: 'h:a' });
  });

  it('passes runt frames through (the receiving device counts them) and rejects bad parameters', () => {
    const sim = newSim();
    const { pa, pb } = pair(sim);
    pa.send(new Uint8Array(3));
    sim.scheduler.run();
    expect(pb.count).to.equal(1);
    expect(() => new Link(sim, ['x', 'y'], { loss: 150 })).to.throw(RangeError, /loss/);
    expect(() => new Link(sim, ['x', 'y'], { delay: -1 })).to.throw(RangeError, /delay/);
  });
});
