// The neighbour (ARP) table: resolution, retries and failure, the unresolved queue, ageing,
// static entries and gratuitous ARP, as Linux behaves with its default sysctls.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import {
  ArpOp, ArpPacket, EtherType, IcmpType, IcmpUnreachCode, Ipv4Packet, buildEthernetFrame, emitArp,
  frameDst, frameEtherType, formatMac, MAC_BROADCAST,
} from '../src/wire';
import { DropReason } from '../src/stack';
import { ip, mac, newSim, record, twoHosts, type Recorded } from './stack-harness';

function arpFrames(frames: Recorded[]): { time: number; arp: ArpPacket; dst: number }[] {
  return frames.filter((f) => frameEtherType(f.frame) === EtherType.ARP)
    .map((f) => ({ time: f.time, arp: ArpPacket.parse(f.frame.subarray(14)), dst: frameDst(f.frame) }));
}

function garp(senderMac: number, senderIp: number, op: number = ArpOp.Request): Uint8Array {
  const body = new Uint8Array(28);
  emitArp({ op, senderMac, senderIp, targetMac: op === ArpOp.Reply ? senderMac : 0, targetIp: senderIp }, body);
  return buildEthernetFrame({ dst: MAC_BROADCAST, src: senderMac, etherType: EtherType.ARP }, body);
}

describe('stack: ARP and the neighbour table', () => {
  it('resolves with one broadcast who-has and a unicast is-at, and the target learns the asker', () => {
    const sim = newSim();
    const { a, b, link, aMac, bMac } = twoHosts(sim);
    const frames = record(sim, link);
    const got: string[] = [];
    const rx = b.udp.bind(9);
    rx.onMessage((p, src, sport) => {
      got.push(`${p.length} from ${src}:${sport}`);
      rx.send(src, sport, p); // b answers at once: it must not need an ARP exchange of its own
    });
    const tx = a.udp.bind(5000);
    let echoed = 0;
    tx.onMessage(() => echoed++);
    tx.send(ip('10.0.0.2'), 9, new Uint8Array(10));
    sim.scheduler.run({ until: sec(1) });

    const arps = arpFrames(frames);
    expect(arps).to.have.length(2);
    const [req, rep] = arps;
    expect(req!.dst).to.equal(MAC_BROADCAST);
    expect(req!.arp.op).to.equal(ArpOp.Request);
    expect(req!.arp.senderIp).to.equal(ip('10.0.0.1'));
    expect(req!.arp.senderMac).to.equal(aMac);
    expect(req!.arp.targetMac).to.equal(0);
    expect(req!.arp.targetIp).to.equal(ip('10.0.0.2'));
    expect(rep!.dst).to.equal(aMac);
    expect(rep!.arp.op).to.equal(ArpOp.Reply);
    expect(rep!.arp.senderMac).to.equal(bMac);
    expect(rep!.arp.targetIp).to.equal(ip('10.0.0.1'));
    expect(frames.every((f) => f.frame.length !== 42 || frameEtherType(f.frame) === EtherType.ARP)).to.equal(true);
    expect(frames.filter((f) => frameEtherType(f.frame) === EtherType.ARP).every((f) => f.frame.length === 42)).to.equal(true);
    expect(got).to.deep.equal([`10 from ${ip('10.0.0.1')}:5000`]);
    expect(echoed).to.equal(1);

    const ea = a.neighbours.lookup(a.interface('eth0')!, ip('10.0.0.2'))!;
    expect(ea.state).to.equal('reachable');
    expect(ea.mac).to.equal(bMac);
    const eb = b.neighbours.lookup(b.interface('eth0')!, ip('10.0.0.1'))!;
    // Learnt from the request as STALE, then used for the reply: DELAY.
    expect(eb.state).to.equal('delay');
    expect(eb.mac).to.equal(aMac);
  });

  it('asks 3 times, 1 s apart, then fails and reports host unreachable to the local sender', () => {
    const sim = newSim();
    const { a, link } = twoHosts(sim);
    const frames = record(sim, link);
    const ping = a.icmp.open();
    const errors: { t: number; type: number; code: number; from: number; quotedDst: number }[] = [];
    ping.onMessage((m) => {
      if (m.message.type === IcmpType.EchoRequest) return;
      const quoted = Ipv4Packet.parse(m.message.data);
      errors.push({ t: sim.scheduler.now, type: m.message.type, code: m.message.code, from: m.srcIp, quotedDst: quoted.dst });
    });
    sim.scheduler.run({ until: ms(100) });
    const sentAt = sim.scheduler.now;
    ping.sendEcho(ip('10.0.0.9'), 7, 0, new Uint8Array(56));
    sim.scheduler.run({ until: sec(10) });

    const arps = arpFrames(frames);
    expect(arps.map((x) => x.time - arps[0]!.time)).to.deep.equal([0, sec(1), sec(2)]);
    expect(arps.every((x) => x.dst === MAC_BROADCAST && x.arp.targetIp === ip('10.0.0.9'))).to.equal(true);
    expect(frames.filter((f) => frameEtherType(f.frame) === EtherType.IPv4)).to.have.length(0);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ type: IcmpType.DestUnreachable, code: IcmpUnreachCode.Host, from: ip('10.0.0.1'), quotedDst: ip('10.0.0.9') });
    // FAILED when the third request's retransmission time runs out: 3 s after the first was
    // sent; the error crosses the loopback (a zero-delay event) to the socket.
    expect(errors[0]!.t).to.equal(sentAt + sec(3));
    const e = a.neighbours.lookup(a.interface('eth0')!, ip('10.0.0.9'))!;
    expect(e.state).to.equal('failed');
    expect(a.drops.get(DropReason.NeighbourFailed)).to.equal(1);
  });

  it('a new datagram restarts resolution of a failed neighbour', () => {
    const sim = newSim();
    const { a, link } = twoHosts(sim);
    const frames = record(sim, link);
    const s = a.udp.bind(0);
    s.send(ip('10.0.0.9'), 9, new Uint8Array(4));
    sim.scheduler.run({ until: sec(5) });
    s.send(ip('10.0.0.9'), 9, new Uint8Array(4));
    sim.scheduler.run({ until: sec(10) });
    expect(arpFrames(frames).map((x) => x.time)).to.have.length(6);
  });

  it('queues at most 3 datagrams per unresolved neighbour, dropping the oldest', () => {
    const sim = newSim();
    const { a, b } = twoHosts(sim);
    const got: number[] = [];
    b.udp.bind(9).onMessage((p) => got.push(p[0]!));
    const s = a.udp.bind(0);
    for (let i = 1; i <= 5; i++) s.send(ip('10.0.0.2'), 9, Uint8Array.of(i));
    sim.scheduler.run({ until: sec(1) });
    expect(got).to.deep.equal([3, 4, 5]);
    expect(a.drops.get(DropReason.NeighbourQueueOverflow)).to.equal(2);
  });

  it('reports every queued datagram when resolution fails', () => {
    const sim = newSim();
    const { a } = twoHosts(sim);
    const s = a.udp.bind(4444);
    const errs: number[] = [];
    s.onError((e) => errs.push(e.code));
    for (let i = 0; i < 5; i++) s.send(ip('10.0.0.77'), 9, Uint8Array.of(i));
    sim.scheduler.run({ until: sec(5) });
    expect(errs).to.deep.equal([IcmpUnreachCode.Host, IcmpUnreachCode.Host, IcmpUnreachCode.Host]);
  });

  it('ages REACHABLE to STALE after reachable_time (15–45 s), then DELAY and a unicast PROBE on use', () => {
    const sim = newSim();
    const { a, link, bMac } = twoHosts(sim);
    const frames = record(sim, link);
    const eth0 = a.interface('eth0')!;
    const s = a.udp.bind(0);
    s.send(ip('10.0.0.2'), 9, new Uint8Array(1));
    sim.scheduler.run({ until: ms(10) });
    const entry = a.neighbours.lookup(eth0, ip('10.0.0.2'))!;
    expect(entry.state).to.equal('reachable');
    const confirmed = entry.confirmed;
    const rt = a.neighbours.reachableTime(eth0);
    expect(rt).to.be.within(sec(15), sec(45) - 1);

    sim.scheduler.run({ until: confirmed + rt - ms(1) });
    expect(a.neighbours.lookup(eth0, ip('10.0.0.2'))!.state).to.equal('reachable');
    sim.scheduler.run({ until: confirmed + rt + ms(1) });
    expect(a.neighbours.lookup(eth0, ip('10.0.0.2'))!.state).to.equal('stale');
    const arpsBefore = arpFrames(frames).length;

    // Using a STALE entry sends at once and starts DELAY; 5 s later a unicast request probes.
    const tUse = sim.scheduler.now;
    s.send(ip('10.0.0.2'), 9, new Uint8Array(1));
    expect(a.neighbours.lookup(eth0, ip('10.0.0.2'))!.state).to.equal('delay');
    sim.scheduler.run({ until: tUse + sec(6) });
    const probes = arpFrames(frames).slice(arpsBefore);
    expect(probes).to.have.length(2); // our unicast request and b's reply
    expect(probes[0]!.time).to.equal(tUse + sec(5) + link.params.delay); // recorded on arrival
    expect(probes[0]!.dst).to.equal(bMac);
    expect(probes[0]!.arp.op).to.equal(ArpOp.Request);
    expect(a.neighbours.lookup(eth0, ip('10.0.0.2'))!.state).to.equal('reachable');
  });

  it('a REACHABLE entry in use at expiry goes to DELAY, not STALE', () => {
    const sim = newSim();
    const { a } = twoHosts(sim);
    const eth0 = a.interface('eth0')!;
    const s = a.udp.bind(0);
    s.send(ip('10.0.0.2'), 9, new Uint8Array(1));
    sim.scheduler.run({ until: ms(10) });
    const entry = a.neighbours.lookup(eth0, ip('10.0.0.2'))!;
    const expiry = entry.confirmed + a.neighbours.reachableTime(eth0);
    sim.scheduler.run({ until: expiry - sec(1) });
    s.send(ip('10.0.0.2'), 9, new Uint8Array(1));
    sim.scheduler.run({ until: expiry + ms(1) });
    expect(a.neighbours.lookup(eth0, ip('10.0.0.2'))!.state).to.equal('delay');
  });

  it('permanent entries need no ARP and never age', () => {
    const sim = newSim();
    const { a, b, link, bMac } = twoHosts(sim);
    const frames = record(sim, link);
    a.setNeighbour('eth0', '10.0.0.2', bMac, 'permanent');
    b.setNeighbour('eth0', '10.0.0.1', mac('02:00:00:00:00:0a'), 'permanent');
    let got = 0;
    b.udp.bind(9).onMessage(() => got++);
    const s = a.udp.bind(0);
    s.send(ip('10.0.0.2'), 9, new Uint8Array(1));
    sim.scheduler.run({ until: sec(100) });
    s.send(ip('10.0.0.2'), 9, new Uint8Array(1));
    sim.scheduler.run({ until: sec(200) });
    expect(got).to.equal(2);
    expect(arpFrames(frames)).to.have.length(0);
    expect(a.neighbours.lookup(a.interface('eth0')!, ip('10.0.0.2'))!.state).to.equal('permanent');
    expect(() => a.setNeighbour('eth0', '10.0.0.2', bMac, 'permanent', 'add')).to.throw(/File exists/);
  });

  it('gratuitous ARP moves an existing entry to a new MAC; a plain reply within locktime does not', () => {
    const sim = newSim();
    const { a, link } = twoHosts(sim);
    const eth0 = a.interface('eth0')!;
    a.udp.bind(0).send(ip('10.0.0.2'), 9, new Uint8Array(1));
    sim.scheduler.run({ until: ms(10) });
    const newMac = mac('02:00:00:00:00:99');
    // A broadcast (non-gratuitous) reply from another MAC right after the update: locktime holds.
    const body = new Uint8Array(28);
    emitArp({ op: ArpOp.Reply, senderMac: newMac, senderIp: ip('10.0.0.2'), targetMac: 0, targetIp: ip('10.0.0.50') }, body);
    link.b.transmit(buildEthernetFrame({ dst: MAC_BROADCAST, src: newMac, etherType: EtherType.ARP }, body));
    sim.scheduler.run({ until: ms(20) });
    expect(formatMac(a.neighbours.lookup(eth0, ip('10.0.0.2'))!.mac!)).to.equal('02:00:00:00:00:0b');
    // A gratuitous request overrides at once, and leaves the entry STALE.
    link.b.transmit(garp(newMac, ip('10.0.0.2')));
    sim.scheduler.run({ until: ms(30) });
    const e = a.neighbours.lookup(eth0, ip('10.0.0.2'))!;
    expect(e.mac).to.equal(newMac);
    expect(e.state).to.equal('stale');
    // No entry is created from gratuitous ARP for an unknown address (arp_accept = 0).
    link.b.transmit(garp(mac('02:00:00:00:00:77'), ip('10.0.0.77')));
    sim.scheduler.run({ until: ms(40) });
    expect(a.neighbours.lookup(eth0, ip('10.0.0.77'))).to.equal(undefined);
  });

  it('answers an ARP probe (sender 0.0.0.0) for its address and learns nothing', () => {
    const sim = newSim();
    const { a, link } = twoHosts(sim);
    const frames = record(sim, link);
    const prober = mac('02:00:00:00:00:55');
    const body = new Uint8Array(28);
    emitArp({ op: ArpOp.Request, senderMac: prober, senderIp: 0, targetMac: 0, targetIp: ip('10.0.0.1') }, body);
    link.b.transmit(buildEthernetFrame({ dst: MAC_BROADCAST, src: prober, etherType: EtherType.ARP }, body));
    sim.scheduler.run({ until: ms(10) });
    const replies = arpFrames(frames).filter((x) => x.arp.op === ArpOp.Reply);
    expect(replies).to.have.length(1);
    expect(replies[0]!.dst).to.equal(prober);
    expect(replies[0]!.arp.targetIp).to.equal(0);
    expect(a.neighbours.entries()).to.have.length(0);
  });

  it('does not answer requests for addresses it does not have', () => {
    const sim = newSim();
    const { a, link } = twoHosts(sim);
    const frames = record(sim, link);
    const asker = mac('02:00:00:00:00:55');
    const body = new Uint8Array(28);
    emitArp({ op: ArpOp.Request, senderMac: asker, senderIp: ip('10.0.0.5'), targetMac: 0, targetIp: ip('10.0.0.42') }, body);
    link.b.transmit(buildEthernetFrame({ dst: MAC_BROADCAST, src: asker, etherType: EtherType.ARP }, body));
    sim.scheduler.run({ until: ms(10) });
    expect(arpFrames(frames).filter((x) => x.arp.op === ArpOp.Reply)).to.have.length(0);
    expect(a.neighbours.entries()).to.have.length(0);
  });
});
