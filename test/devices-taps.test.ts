import { expect } from 'chai';
import { Bridge, DecisionNotes, FaultInjector, Link, LinkCapture, type CaptureSink } from '../src/devices';
import { readCapture, PcapngWriter, MemorySink } from '../src/pcap';
import type { Nanos } from '../src/sim';
import { Probe, mac, newSim, rawFrame } from './devices-harness';

const A = mac('02:42:0a:00:00:02');
const B = mac('02:42:0a:00:00:03');

class ListSink implements CaptureSink {
  readonly records: { time: Nanos; frame: Uint8Array; comment?: string }[] = [];
  record(time: Nanos, frame: Uint8Array, comment?: string): void {
    this.records.push(comment === undefined ? { time, frame } : { time, frame, comment });
  }
}

describe('devices: LinkCapture', () => {
  it('records each delivered frame once, both directions, at its arrival time, whether devices attached before or after', () => {
    const sim = newSim();
    // Tapped after the devices attached.
    const l1 = new Link(sim, ['c1:eth0', 'h:veth1']);
    const p1a = new Probe(sim, l1.a);
    const p1b = new Probe(sim, l1.b);
    const s1 = new ListSink();
    const cap1 = new LinkCapture(sim.scheduler, l1, s1);
    // Tapped before: devices attach through the capture's ports.
    const l2 = new Link(sim, ['c2:eth0', 'h:veth2']);
    const s2 = new ListSink();
    const cap2 = new LinkCapture(sim.scheduler, l2, s2);
    const p2a = new Probe(sim, cap2.a);
    const p2b = new Probe(sim, cap2.b);
    expect(cap2.a.name).to.equal('c2:eth0');
    expect(cap2.a.peer).to.equal(cap2.b);
    const f = [rawFrame(B, A), rawFrame(A, B)];
    p1a.send(f[0]!);
    p1b.send(f[1]!);
    p2a.send(f[0]!);
    sim.scheduler.run();
    p2b.send(f[1]!);
    sim.scheduler.run();
    expect(s1.records).to.deep.equal([{ time: 25_000, frame: f[0] }, { time: 25_000, frame: f[1] }]);
    expect(s2.records).to.deep.equal([{ time: 25_000, frame: f[0] }, { time: 50_000, frame: f[1] }]);
    expect([p1a.count, p1b.count, p2a.count, p2b.count]).to.deep.equal([1, 1, 1, 1]);
    expect(p2a.frames[0]!.frame).to.equal(f[1]);
    expect(cap1.frames).to.equal(2);
    cap1.close();
    p1a.send(f[0]!);
    sim.scheduler.run();
    expect(s1.records.length, 'closed: no more records').to.equal(2);
    expect(p1b.count, 'but frames still flow').to.equal(2);
  });

  it('attaches decision notes as packet comments (flooded, learned) and writes them to pcapng', () => {
    const sim = newSim();
    const notes = new DecisionNotes();
    sim.trace.subscribe(notes.observe);
    const br = new Bridge(sim, { name: 'h:br0', mac: mac('02:42:5c:00:00:01') });
    const l1 = new Link(sim, ['c1:eth0', 'h:veth1']);
    const l2 = new Link(sim, ['c2:eth0', 'h:veth2']);
    br.addPort(l1.b);
    const sink = new ListSink();
    const cap = new LinkCapture(sim.scheduler, l2, sink, { commentFor: notes.commentFor });
    br.addPort(cap.b);
    const c1 = new Probe(sim, l1.a);
    new Probe(sim, cap.a);
    const frame = rawFrame(B, A);
    c1.send(frame);
    sim.scheduler.run();
    expect(sink.records).to.deep.equal([{ time: 50_000, frame, comment: 'h:br0: learned 02:42:0a:00:00:02 on h:veth1; h:br0: flooded, unknown destination (h:veth1)' }]);
    // Through the pcapng writer the comment survives a round trip.
    const bytes = new MemorySink();
    const writer = new PcapngWriter(bytes);
    const ifId = writer.addInterface('h:veth2');
    for (const r of sink.records) writer.writePacket(ifId, r.time, r.frame, r.comment);
    writer.flush();
    expect(readCapture(bytes.bytes()).packets[0]!.comment).to.match(/flooded, unknown destination/);
  });
});

describe('devices: FaultInjector', () => {
  function setup(opts: ConstructorParameters<typeof FaultInjector>[2], seed = 5) {
    const sim = newSim(seed);
    const link = new Link(sim, ['c1:eth0', 'h:veth1']);
    const faulty = new FaultInjector(sim, link.a, opts);
    const sender = new Probe(sim, faulty);
    const receiver = new Probe(sim, link.b);
    const frames = Array.from({ length: 1000 }, (_, i) => rawFrame(B, A, 46 + (i % 50)));
    return { sim, faulty, sender, receiver, frames };
  }

  it('drops, duplicates and corrupts frames with the given probabilities, reproducibly', () => {
    const run = (seed: number) => {
      const { sim, faulty, sender, receiver, frames } = setup({ drop: 0.1, duplicate: 0.05, corrupt: 0.02 }, seed);
      for (const f of frames) sender.send(f);
      sim.scheduler.run();
      return { stats: { ...faulty.stats }, got: receiver.frames.map((r) => r.frame), frames };
    };
    const r = run(5);
    expect(r.stats.dropped).to.be.within(60, 140);
    expect(r.stats.duplicated).to.be.within(20, 80);
    expect(r.stats.corrupted).to.be.within(5, 40);
    const delivered = 1000 - r.stats.dropped + r.stats.duplicated;
    expect(r.got.length).to.equal(delivered);
    const originals = new Set(r.frames);
    const corrupted = r.got.filter((f) => !originals.has(f));
    expect(corrupted.length).to.be.within(r.stats.corrupted, r.stats.corrupted * 2);
    for (const c of corrupted) {
      const orig = r.frames.find((f) => f.length === c.length && f.filter((b, i) => b !== c[i]).length === 1);
      expect(orig, 'a corrupted frame differs from an original in exactly one byte').to.not.equal(undefined);
    }
    r.frames.forEach((f, i) => expect(f, 'originals untouched').to.deep.equal(rawFrame(B, A, 46 + (i % 50))));
    expect(run(5).stats).to.deep.equal(r.stats);
    expect(run(6).stats).to.not.deep.equal(r.stats);
  });

  it('reorders by holding a frame until the next one has gone, or until the hold limit', () => {
    const { sim, faulty, sender, receiver, frames } = setup({ reorder: 1, reorderHoldLimit: 1_000 });
    sender.send(frames[0]!); // held
    sender.send(frames[1]!); // sent, then frame 0
    sim.scheduler.run();
    expect(receiver.frames.map((r) => r.frame)).to.deep.equal([frames[1], frames[0]]);
    sender.send(frames[2]!); // held, nobody follows
    sim.scheduler.run();
    expect(receiver.frames[2]!.frame).to.equal(frames[2]);
    expect(receiver.frames[2]!.time, 'sent at 25 µs, released 1 µs later, 25 µs on the link').to.equal(51_000);
    expect(faulty.stats.reordered).to.equal(2);
  });

  it('passes received frames through with itself as the port, and rejects bad probabilities', () => {
    const sim = newSim();
    const link = new Link(sim, ['c1:eth0', 'h:veth1']);
    const faulty = new FaultInjector(sim, link.a, { drop: 1 });
    const seen: unknown[] = [];
    faulty.setReceiver({ receiveFrame: (_f, port) => seen.push(port) });
    link.b.transmit(rawFrame(A, B));
    faulty.transmit(rawFrame(B, A)); // dropped: only one direction is disturbed
    sim.scheduler.run();
    expect(seen).to.deep.equal([faulty]);
    expect(faulty.name).to.equal('c1:eth0');
    expect(faulty.mtu).to.equal(1500);
    expect(faulty.stats.dropped).to.equal(1);
    expect(() => new FaultInjector(sim, link.b, { drop: 2 })).to.throw(RangeError);
  });
});
