// IPv4 forwarding, ICMP errors from a router, path MTU and fragmentation/reassembly.
import { expect } from 'chai';
import { ms, sec } from '../src/sim';
import {
  EtherType, IcmpPacket, IcmpType, IcmpUnreachCode, IpProtocol, Ipv4Packet, buildEthernetFrame,
  emitIpv4, emitUdp, frameDst, frameEtherType, frameSrc, internetChecksum, readU16,
} from '../src/wire';
import { DropReason, NetworkNamespace, type UdpErrorReport } from '../src/stack';
import { ip, mac, newSim, record, veth, type Recorded, type Sim } from './stack-harness';

const A_MAC = mac('02:00:00:00:00:0a');
const R0_MAC = mac('02:00:00:00:00:f0');
const R1_MAC = mac('02:00:00:00:00:f1');
const B_MAC = mac('02:00:00:00:00:0b');

/** a (10.0.0.1) — r (10.0.0.254 | 10.1.0.254, forwarding) — b (10.1.0.1). */
function routed(sim: Sim, opts: { forwarding?: boolean; mtu2?: number } = {}) {
  const a = new NetworkNamespace(sim, 'a');
  const r = new NetworkNamespace(sim, 'r', { forwarding: opts.forwarding ?? true });
  const b = new NetworkNamespace(sim, 'b');
  const l1 = veth(sim, a, 'eth0', A_MAC, r, 'eth0', R0_MAC);
  const l2 = veth(sim, r, 'eth1', R1_MAC, b, 'eth0', B_MAC, opts.mtu2 === undefined ? {} : { mtu: opts.mtu2 });
  a.addAddress('eth0', '10.0.0.1/24');
  r.addAddress('eth0', '10.0.0.254/24');
  r.addAddress('eth1', '10.1.0.254/24');
  b.addAddress('eth0', '10.1.0.1/24');
  a.addRoute({ dst: 'default', via: '10.0.0.254' });
  b.addRoute({ dst: 'default', via: '10.1.0.254' });
  return { a, r, b, l1, l2, f1: record(sim, l1), f2: record(sim, l2) };
}

function ipv4Of(frames: Recorded[]): Ipv4Packet[] {
  return frames.filter((f) => frameEtherType(f.frame) === EtherType.IPv4).map((f) => Ipv4Packet.parse(f.frame.subarray(14)));
}

/** A UDP datagram from `src` as a raw frame (for injection). */
function udpFrame(dstMac: number, srcMac: number, src: number, dst: number, opts: { id?: number; ttl?: number; mf?: boolean; offset?: number; payload: Uint8Array; udp?: boolean }): Uint8Array {
  const body = opts.udp === false ? opts.payload : (() => {
    const u = new Uint8Array(8 + opts.payload.length);
    emitUdp({ srcPort: 1234, dstPort: 9 }, opts.payload, u, 0, src, dst);
    return u;
  })();
  const ipb = new Uint8Array(20 + body.length);
  emitIpv4({ src, dst, protocol: IpProtocol.UDP, ttl: opts.ttl ?? 64, identification: opts.id ?? 99, payloadLength: body.length, moreFragments: opts.mf ?? false, fragmentOffset: opts.offset ?? 0 }, ipb, 0);
  ipb.set(body, 20);
  return buildEthernetFrame({ dst: dstMac, src: srcMac, etherType: EtherType.IPv4 }, ipb);
}

describe('stack: forwarding and ICMP errors', () => {
  it('forwards with TTL − 1, a correct incrementally updated checksum and rewritten MACs', () => {
    const sim = newSim();
    const { a, b, f1, f2 } = routed(sim);
    const got: number[] = [];
    b.udp.bind(9).onMessage((p, src) => got.push(p.length, src));
    a.udp.bind(4000).send(ip('10.1.0.1'), 9, new Uint8Array(100).fill(7));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.deep.equal([100, ip('10.0.0.1')]);
    const before = ipv4Of(f1)[0]!;
    const after = ipv4Of(f2)[0]!;
    expect(after.ttl).to.equal(before.ttl - 1);
    expect(before.ttl).to.equal(64);
    expect(internetChecksum(after.header)).to.equal(0);
    expect(after.checksum).to.not.equal(before.checksum);
    expect(after.identification).to.equal(before.identification);
    expect(after.dontFragment).to.equal(true);
    expect([...after.payload]).to.deep.equal([...before.payload]);
    const out = f2.find((f) => frameEtherType(f.frame) === EtherType.IPv4)!.frame;
    expect(frameSrc(out)).to.equal(R1_MAC);
    expect(frameDst(out)).to.equal(B_MAC);
  });

  it('answers TTL 1 with time exceeded from the router, quoting the whole datagram', () => {
    const sim = newSim();
    const { a, r, f1 } = routed(sim);
    const errors: UdpErrorReport[] = [];
    const s = a.udp.bind(52894);
    s.onError((e) => errors.push(e));
    s.send(ip('10.1.0.1'), 33435, new Uint8Array(18), { ttl: 1 });
    sim.scheduler.run({ until: ms(10) });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ type: IcmpType.TimeExceeded, code: 0, reporter: ip('10.0.0.254'), originalDstPort: 33435, ttl: 64 });
    const icmp = ipv4Of(f1).find((p) => p.protocol === IpProtocol.ICMP)!;
    expect(icmp.src).to.equal(ip('10.0.0.254'));
    expect(icmp.ttl).to.equal(64);
    expect(icmp.dontFragment).to.equal(false);
    expect(icmp.bytes[1]).to.equal(0xc0); // precedence "internetwork control"
    expect(icmp.totalLength).to.equal(20 + 8 + 46); // the 46-byte probe quoted whole: an 88-byte frame
    const quoted = Ipv4Packet.parse(IcmpPacket.parse(icmp.payload).data);
    expect(quoted.ttl).to.equal(1);
    expect(r.drops.get(DropReason.TtlExceeded)).to.equal(1);
  });

  it('delivers TTL 2 through one router with TTL 1 left', () => {
    const sim = newSim();
    const { a, b } = routed(sim);
    const ttls: number[] = [];
    b.icmp.open().onMessage((m) => ttls.push(m.ttl));
    a.icmp.open().sendEcho(ip('10.1.0.1'), 1, 1, new Uint8Array(8), { ttl: 2 });
    sim.scheduler.run({ until: ms(10) });
    expect(ttls).to.deep.equal([1]);
  });

  it('answers a destination without a route with net unreachable', () => {
    const sim = newSim();
    const { a, r } = routed(sim);
    const errors: UdpErrorReport[] = [];
    const s = a.udp.bind(0);
    s.onError((e) => errors.push(e));
    s.send(ip('8.8.8.8'), 53, new Uint8Array(4));
    sim.scheduler.run({ until: ms(10) });
    expect(errors.map((e) => [e.type, e.code, e.reporter])).to.deep.equal([[IcmpType.DestUnreachable, IcmpUnreachCode.Net, ip('10.0.0.254')]]);
    expect(r.drops.get(DropReason.NoRoute)).to.equal(1);
  });

  it('drops silently what is not for it when ip_forward is off', () => {
    const sim = newSim();
    const { a, r, b, f1 } = routed(sim, { forwarding: false });
    let got = 0;
    b.udp.bind(9).onMessage(() => got++);
    const s = a.udp.bind(0);
    let errs = 0;
    s.onError(() => errs++);
    s.send(ip('10.1.0.1'), 9, new Uint8Array(4));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.equal(0);
    expect(errs).to.equal(0);
    expect(r.drops.get(DropReason.NotForwarding)).to.equal(1);
    expect(ipv4Of(f1).filter((p) => p.protocol === IpProtocol.ICMP)).to.have.length(0);
  });

  it('sends fragmentation needed with the next-hop MTU for DF datagrams too big for the next link', () => {
    const sim = newSim();
    const { a, b, r, f1, f2 } = routed(sim, { mtu2: 1000 });
    const got: number[] = [];
    b.udp.bind(9).onMessage((p) => got.push(p.length));
    const errors: UdpErrorReport[] = [];
    const s = a.udp.bind(0);
    s.onError((e) => errors.push(e));
    s.send(ip('10.1.0.1'), 9, new Uint8Array(1400)); // fits a's 1500: DF set (IP_PMTUDISC_WANT)
    sim.scheduler.run({ until: ms(10) });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ type: IcmpType.DestUnreachable, code: IcmpUnreachCode.FragNeeded, nextHopMtu: 1000, reporter: ip('10.0.0.254') });
    const icmp = ipv4Of(f1).find((p) => p.protocol === IpProtocol.ICMP)!;
    expect(readU16(icmp.payload, 6)).to.equal(1000);
    expect(r.drops.get(DropReason.FragmentationNeeded)).to.equal(1);
    expect(ipv4Of(f2)).to.have.length(0);
    // The path MTU is learnt: the next datagram leaves a fragmented to 1000, without DF, and arrives whole.
    expect(a.pmtu.get(ip('10.1.0.1'), sim.scheduler.now)).to.equal(1000);
    f1.length = 0;
    s.send(ip('10.1.0.1'), 9, new Uint8Array(1400));
    sim.scheduler.run({ until: ms(20) });
    expect(got).to.deep.equal([1400]);
    const frags = ipv4Of(f1).filter((p) => p.protocol === IpProtocol.UDP);
    // 1408 bytes of UDP in 976 + 432 (each piece a multiple of 8 but the last).
    expect(frags.map((p) => [p.totalLength, p.dontFragment])).to.deep.equal([[996, false], [452, false]]);
  });

  it('fragments a datagram without DF and the receiver reassembles it, through a smaller MTU on the way', () => {
    const sim = newSim();
    const { a, b, f1, f2 } = routed(sim, { mtu2: 1000 });
    const payload = new Uint8Array(4000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const got: Uint8Array[] = [];
    b.udp.bind(9).onMessage((p) => got.push(p.slice()));
    const s = a.udp.bind(0);
    // Resolve the neighbours first: six fragments waiting for ARP at the router would overflow
    // its 3-datagram unresolved queue (unres_qlen) and lose the first three.
    s.send(ip('10.1.0.1'), 9, new Uint8Array(0));
    sim.scheduler.run({ until: ms(5) });
    f1.length = 0;
    f2.length = 0;
    got.length = 0;
    s.send(ip('10.1.0.1'), 9, payload, { pmtudisc: 'dont' });
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.have.length(1);
    expect([...got[0]!]).to.deep.equal([...payload]);
    const first = ipv4Of(f1).filter((p) => p.protocol === IpProtocol.UDP);
    // 4008 bytes of UDP: 1480 + 1480 + 1048 on a 1500-byte link.
    expect(first.map((p) => [p.totalLength, p.fragmentOffset, p.moreFragments])).to.deep.equal([
      [1500, 0, true], [1500, 1480, true], [1068, 2960, false],
    ]);
    expect(new Set(first.map((p) => p.identification)).size).to.equal(1);
    expect(first.every((p) => internetChecksum(p.header) === 0)).to.equal(true);
    // The router splits each fragment again for the 1000-byte link (976-byte pieces).
    const second = ipv4Of(f2).filter((p) => p.protocol === IpProtocol.UDP);
    expect(second.every((p) => p.totalLength <= 1000 && p.ttl === 63)).to.equal(true);
    expect(second.map((p) => p.fragmentOffset)).to.deep.equal([0, 976, 1480, 2456, 2960, 3936]);
    expect(second.map((p) => p.moreFragments)).to.deep.equal([true, true, true, true, true, false]);
    expect(b.reassembler.stats.oks).to.equal(1);
  });

  it('gives up a reassembly after 30 s and reports it to the sender with time exceeded (code 1)', () => {
    const sim = newSim();
    const { b, l2, f2 } = routed(sim);
    let got = 0;
    b.udp.bind(9).onMessage(() => got++);
    // Only the first of two fragments arrives.
    l2.a.transmit(udpFrame(B_MAC, R1_MAC, ip('10.0.0.1'), ip('10.1.0.1'), { id: 5, mf: true, payload: new Uint8Array(64) }));
    sim.scheduler.run({ until: sec(29) });
    expect(b.reassembler.pending).to.equal(1);
    sim.scheduler.run({ until: sec(31) });
    expect(got).to.equal(0);
    expect(b.reassembler.pending).to.equal(0);
    expect(b.drops.get(DropReason.ReassemblyTimeout)).to.equal(1);
    const icmp = ipv4Of(f2).filter((p) => p.protocol === IpProtocol.ICMP);
    expect(icmp).to.have.length(1);
    const m = IcmpPacket.parse(icmp[0]!.payload);
    expect([m.type, m.code]).to.deep.equal([IcmpType.TimeExceeded, 1]);
  });

  it('drops a reassembly queue when fragments overlap, and ignores exact duplicates', () => {
    const sim = newSim();
    const { b, l2 } = routed(sim);
    const got: number[] = [];
    b.udp.bind(9).onMessage((p) => got.push(p.length));
    const whole = new Uint8Array(8 + 40);
    emitUdp({ srcPort: 1234, dstPort: 9 }, new Uint8Array(40), whole, 0, ip('10.0.0.1'), ip('10.1.0.1'));
    const frag = (id: number, off: number, len: number, mf: boolean) => udpFrame(B_MAC, R1_MAC, ip('10.0.0.1'), ip('10.1.0.1'), {
      id, mf, offset: off, udp: false, payload: whole.subarray(off, off + len),
    });
    // id 1: first, duplicate of first, last → delivered once.
    l2.a.transmit(frag(1, 0, 24, true));
    l2.a.transmit(frag(1, 0, 24, true));
    l2.a.transmit(frag(1, 24, 24, false));
    // id 2: 0–24 then an overlapping 16–48 → the queue is dropped, nothing delivered.
    l2.a.transmit(frag(2, 0, 24, true));
    l2.a.transmit(frag(2, 16, 32, false));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.deep.equal([40]);
    expect(b.drops.get(DropReason.FragmentOverlap)).to.equal(1);
  });
});

describe('stack: local delivery, echo and port unreachable', () => {
  it('answers echo requests with the request\'s data, TTL 64, no DF, from the address asked', () => {
    const sim = newSim();
    const { a, r, f1 } = routed(sim);
    const replies: { ttl: number; src: number; data: number[] }[] = [];
    const sock = a.icmp.open();
    sock.onMessage((m) => {
      if (m.message.type === IcmpType.EchoReply) replies.push({ ttl: m.ttl, src: m.srcIp, data: [...m.message.data] });
    });
    sock.sendEcho(ip('10.1.0.254'), 0x1234, 3, Uint8Array.of(1, 2, 3, 4));
    sim.scheduler.run({ until: ms(10) });
    expect(replies).to.deep.equal([{ ttl: 64, src: ip('10.1.0.254'), data: [1, 2, 3, 4] }]);
    const [req, rep] = ipv4Of(f1);
    expect(req!.dontFragment).to.equal(true);
    expect(rep!.dontFragment).to.equal(false);
    const m = IcmpPacket.parse(rep!.payload, { verifyChecksum: true });
    expect([m.identifier, m.sequence]).to.deep.equal([0x1234, 3]);
    expect(r.icmp.stats.outEchoReps).to.equal(1);
  });

  it('ignores echo requests to a broadcast address', () => {
    const sim = newSim();
    const { a, r } = routed(sim);
    a.icmp.open().sendEcho(ip('10.0.0.255'), 1, 1, new Uint8Array(4), { broadcast: true });
    sim.scheduler.run({ until: ms(10) });
    expect(r.icmp.stats.outEchoReps).to.equal(0);
    expect(r.drops.get(DropReason.IcmpEchoBroadcastIgnored)).to.equal(1);
  });

  it('answers a closed UDP port with port unreachable, but not a broadcast', () => {
    const sim = newSim();
    const { a, r, f1 } = routed(sim);
    const errors: UdpErrorReport[] = [];
    const s = a.udp.bind(40000);
    s.broadcast = true;
    s.onError((e) => errors.push(e));
    s.send(ip('10.0.0.254'), 33434, new Uint8Array(18));
    s.send(ip('10.0.0.255'), 33434, new Uint8Array(18));
    sim.scheduler.run({ until: ms(10) });
    expect(errors.map((e) => [e.type, e.code, e.reporter, e.originalDstPort])).to.deep.equal([[IcmpType.DestUnreachable, IcmpUnreachCode.Port, ip('10.0.0.254'), 33434]]);
    expect(r.drops.get(DropReason.UdpNoPort)).to.equal(2);
    const icmp = ipv4Of(f1).filter((p) => p.protocol === IpProtocol.ICMP);
    expect(icmp).to.have.length(1);
    expect(icmp[0]!.totalLength).to.equal(20 + 8 + 20 + 8 + 18);
  });

  it('delivers to its own addresses over the loopback, one scheduled event later', () => {
    const sim = newSim();
    const { a } = routed(sim);
    const got: [number, number, number][] = [];
    a.udp.bind(7, ip('10.0.0.1')).onMessage((p, src, _sp, dst) => got.push([p.length, src, dst]));
    a.udp.bind(0).send(ip('10.0.0.1'), 7, new Uint8Array(3));
    expect(got).to.have.length(0);
    sim.scheduler.run({ until: 0 });
    expect(got).to.deep.equal([[3, ip('10.0.0.1'), ip('10.0.0.1')]]);
    a.udp.bind(0).send(ip('127.0.0.1'), 7, new Uint8Array(3));
    sim.scheduler.run({ until: 0 });
    expect(got).to.have.length(1); // bound to 10.0.0.1: 127.0.0.1:7 is closed
    expect(a.udp.stats.noPorts).to.equal(1);
  });

  it('binds ephemeral ports in 32768–60999 and refuses taken ports', () => {
    const sim = newSim();
    const { a } = routed(sim);
    const ports = Array.from({ length: 50 }, () => a.udp.bind(0).localPort);
    expect(ports.every((p) => p >= 32768 && p <= 60999)).to.equal(true);
    expect(new Set(ports).size).to.equal(50);
    a.udp.bind(53);
    expect(() => a.udp.bind(53)).to.throw(/Address in use/);
    expect(() => a.udp.bind(54, ip('10.9.9.9'))).to.throw(/Address not available/);
  });

  it('a connected socket receives only from its peer', () => {
    const sim = newSim();
    const { a, b } = routed(sim);
    const s = a.udp.bind(5000);
    const got: number[] = [];
    s.onMessage((p) => got.push(p[0]!));
    s.connect(ip('10.1.0.1'), 9);
    expect(s.localAddress).to.equal(ip('10.0.0.1'));
    b.udp.bind(9).send(ip('10.0.0.1'), 5000, Uint8Array.of(1));
    b.udp.bind(10).send(ip('10.0.0.1'), 5000, Uint8Array.of(2));
    sim.scheduler.run({ until: ms(10) });
    expect(got).to.deep.equal([1]);
  });
});
