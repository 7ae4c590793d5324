// The three topologies of ../shared/fixtures/kernel, rebuilt through the programmatic API and
// driven the way busybox ping and traceroute drive the kernel, give the kernel's frames: the
// same protocols in the same order, the same frame lengths, TTLs, DF flags, TOS, ICMP types,
// codes and sequence numbers, ARP fields, VXLAN VNI and port, and the same timing to within a
// few milliseconds (ARP retries 1 s apart, echo requests 1 s apart).
//
// What cannot match, because the kernel draws it at random, and how the comparison deals with
// it, is in kernel-compare.ts (the ICMP echo identifier here comes from the test's RNG; the
// VXLAN source port is checked as "one port, in Linux's range, shared by both directions of the
// flow"). Each fixture capture ends when tcpdump was stopped; our captures are cut at the same
// point after their first frame (plus 0.5 s), since the simulation would go on to show later
// ARP traffic (the third retry for 10.0.0.9, NUD_PROBE re-validation after 5 s).
import { expect } from 'chai';
import { ms, sec, us, type Nanos } from '../src/sim';
import { Bridge, INTERNAL_LINK, Link, Nic, VxlanEndpoint } from '../src/devices';
import { NamespaceUnderlay, NetworkNamespace } from '../src/stack';
import {
  ArpPacket, EtherType, IcmpType, IpProtocol, Ipv4Packet, UdpPacket,
  formatIpv4, frameEtherType, readU48, verifyUdpChecksum,
} from '../src/wire';
import { ip, mac, newSim, record, type Recorded, type Sim } from './stack-harness';
import { compare, cut, fixture } from './kernel-compare';

/** busybox ping: 56 data bytes, the first 4 a little-endian microsecond timestamp, one request a second. */
function busyboxPing(sim: Sim, ns: NetworkNamespace, dst: string, count: number, start: Nanos, id: number): { replies: number[] } {
  const sock = ns.icmp.open();
  const replies: number[] = [];
  sock.onMessage((m) => {
    if (m.message.type === IcmpType.EchoReply && m.message.identifier === id) replies.push(m.message.sequence);
  });
  for (let seq = 0; seq < count; seq++) {
    sim.scheduler.scheduleAt(start + seq * sec(1), () => {
      const data = new Uint8Array(56);
      const micros = Math.floor(sim.scheduler.now / 1000) >>> 0;
      data[0] = micros & 0xff;
      data[1] = (micros >>> 8) & 0xff;
      data[2] = (micros >>> 16) & 0xff;
      data[3] = (micros >>> 24) & 0xff;
      sock.sendEcho(ip(dst), id, seq, data);
    });
  }
  return { replies };
}

/**
 * busybox `traceroute -n -q 1`: UDP probes from port ident|0x8000 to 33434 + seq (seq from 1),
 * TTL 1, 2, 3 …, 18 data bytes (seq, ttl, then zeros), the next probe as soon as the ICMP
 * error for the previous one arrives on a raw ICMP socket; stops at port unreachable.
 */
function busyboxTraceroute(sim: Sim, ns: NetworkNamespace, dst: string, start: Nanos, ident: number): { hops: string[] } {
  const hops: string[] = [];
  const srcPort = ident | 0x8000;
  const udp = ns.udp.bind(srcPort);
  const raw = ns.icmp.open();
  let ttl = 0;
  const probe = (): void => {
    ttl++;
    const data = new Uint8Array(18);
    data[0] = ttl; // seq
    data[1] = ttl;
    udp.send(ip(dst), 33434 + ttl, data, { ttl });
  };
  raw.onMessage((m) => {
    if (!m.message.isError) return;
    const q = Ipv4Packet.parse(m.message.data);
    if (q.protocol !== IpProtocol.UDP || UdpPacket.parse(q.payload).srcPort !== srcPort) return;
    hops.push(formatIpv4(m.srcIp));
    if (m.message.type === IcmpType.TimeExceeded) probe();
  });
  sim.scheduler.scheduleAt(start, probe);
  return { hops };
}

/** A container namespace on a veth to `bridge`: eth0 with Docker's MAC, the address, a default route. */
function container(sim: Sim, bridge: Bridge, name: string, vethName: string, cidr: string, gateway: string | undefined, mtu = 1500): { ns: NetworkNamespace; link: Link } {
  const ns = new NetworkNamespace(sim, name);
  const link = new Link(sim, [vethName, `${name}:eth0`], { mtu });
  bridge.addPort(link.a, { name: vethName });
  const addr = ip(cidr.split('/')[0]!);
  ns.addInterface(new Nic(sim, link.b, { name: 'eth0', mac: 0x0242_0000_0000 + addr, mtu }));
  ns.addAddress('eth0', cidr);
  if (gateway) ns.addRoute({ dst: 'default', via: gateway });
  return { ns, link };
}

function bridgeTopology(seed: number) {
  const sim = newSim(seed);
  const host = new NetworkNamespace(sim, 'host');
  const br0 = new Bridge(sim, { name: 'br0', mac: mac('56:00:12:27:eb:10') });
  host.addInterface(new Nic(sim, br0.selfPort, { name: 'br0', mac: br0.mac }));
  host.addAddress('br0', '10.0.0.1/24');
  const c1 = container(sim, br0, 'c1', 'veth1', '10.0.0.2/24', '10.0.0.1');
  const c2 = container(sim, br0, 'c2', 'veth2', '10.0.0.3/24', '10.0.0.1');
  const c1eth0 = record(sim, c1.link);
  const onVeth2 = record(sim, c2.link);
  const id = sim.rng.fork('busybox-pid').int(0x8000);
  // ping -c 3 10.0.0.3, then ping -c 1 -W 1 10.0.0.9 when the first has printed its statistics
  // (the fixture's second command starts 2.003 s after the first).
  const first = busyboxPing(sim, c1.ns, '10.0.0.3', 3, ms(100), id);
  const second = busyboxPing(sim, c1.ns, '10.0.0.9', 1, ms(100) + us(2_003_431), id + 1);
  sim.scheduler.run({ until: sec(8) });
  // What tcpdump -i br0 saw (br0 in promiscuous mode): every frame entering the bridge, once.
  const c1Mac = mac('02:42:0a:00:00:02');
  const c2Mac = mac('02:42:0a:00:00:03');
  const br0View = [
    ...c1eth0.filter((r) => readU48(r.frame, 6) === c1Mac),
    ...onVeth2.filter((r) => readU48(r.frame, 6) === c2Mac),
  ].sort((a, b) => a.time - b.time);
  return { sim, c1eth0, br0View, first, second, c1: c1.ns };
}

describe('kernel topologies rebuilt through the API', function () {
  this.timeout(20000);

  it('bridge: ping ×3 between containers, then a ping to an absent address', () => {
    const { c1eth0, br0View, first, second, c1 } = bridgeTopology(1);
    expect(first.replies).to.deep.equal([0, 1, 2]);
    expect(second.replies).to.deep.equal([]);
    const kernelC1 = fixture('bridge-c1-eth0.pcap');
    compare(cut(c1eth0, kernelC1), kernelC1);
    const kernelBr0 = fixture('bridge-br0.pcap');
    compare(cut(br0View, kernelBr0), kernelBr0);
    // The retries for 10.0.0.9 are exactly 1 s apart, and the third one follows (outside the fixture's window).
    const retries = c1eth0.filter((r) => frameEtherType(r.frame) === EtherType.ARP && ArpPacket.parse(r.frame.subarray(14)).targetIp === ip('10.0.0.9'));
    expect(retries.map((r) => r.time - retries[0]!.time)).to.deep.equal([0, sec(1), sec(2)]);
    expect(c1.neighbours.lookup(c1.interface('eth0')!, ip('10.0.0.9'))!.state).to.equal('failed');
  });

  it('the comparison notices a changed TTL, DF flag or frame order', () => {
    const { c1eth0 } = bridgeTopology(1);
    const kernel = fixture('bridge-c1-eth0.pcap');
    const ours = cut(c1eth0, kernel);
    const ttl = ours.map((r) => ({ ...r, frame: r.frame.slice() }));
    ttl[2]!.frame[14 + 8] = 63;
    expect(() => compare(ttl, kernel)).to.throw();
    const df = ours.map((r) => ({ ...r, frame: r.frame.slice() }));
    df[3]!.frame[14 + 6] = df[3]!.frame[14 + 6]! | 0x40;
    expect(() => compare(df, kernel)).to.throw();
    const swapped = [ours[1]!, ours[0]!, ...ours.slice(2)];
    expect(() => compare(swapped, kernel)).to.throw();
    const late = ours.map((r, i) => (i === 8 ? { ...r, time: r.time + ms(50) } : r));
    expect(() => compare(late, kernel)).to.throw(/frame 9/);
  });

  it('bridge: the same seed gives byte-identical captures', () => {
    const a = bridgeTopology(7);
    const b = bridgeTopology(7);
    expect(a.c1eth0.length).to.equal(b.c1eth0.length);
    for (let i = 0; i < a.c1eth0.length; i++) {
      expect(a.c1eth0[i]!.time).to.equal(b.c1eth0[i]!.time);
      expect([...a.c1eth0[i]!.frame]).to.deep.equal([...b.c1eth0[i]!.frame]);
    }
  });

  it('routed: ping ×2 across a forwarding host and a router, then traceroute-style UDP probes', () => {
    const sim = newSim(2);
    const host = new NetworkNamespace(sim, 'host', { forwarding: true });
    const router = new NetworkNamespace(sim, 'router', { forwarding: true });
    const br0 = new Bridge(sim, { name: 'br0', mac: mac('56:00:00:00:00:01') });
    host.addInterface(new Nic(sim, br0.selfPort, { name: 'br0', mac: br0.mac }));
    host.addAddress('br0', '10.0.0.1/24');
    const c1 = container(sim, br0, 'c1', 'veth1', '10.0.0.2/24', '10.0.0.1');
    // host rb0 (10.9.0.1/30) — router rb (10.9.0.2/30); router ra (10.1.0.1/24) — c3 eth0 (10.1.0.2/24).
    const rb = new Link(sim, ['host:rb0', 'router:rb']);
    host.addInterface(new Nic(sim, rb.a, { name: 'rb0', mac: mac('b2:90:a8:bc:3c:6a') }));
    router.addInterface(new Nic(sim, rb.b, { name: 'rb', mac: mac('c2:6f:31:ed:67:8d') }));
    const ra = new Link(sim, ['router:ra', 'c3:eth0']);
    const c3 = new NetworkNamespace(sim, 'c3');
    router.addInterface(new Nic(sim, ra.a, { name: 'ra', mac: mac('ae:20:45:f1:22:05') }));
    c3.addInterface(new Nic(sim, ra.b, { name: 'eth0', mac: mac('22:e4:aa:84:54:64') }));
    host.addAddress('rb0', '10.9.0.1/30');
    router.addAddress('rb', '10.9.0.2/30');
    router.addAddress('ra', '10.1.0.1/24');
    c3.addAddress('eth0', '10.1.0.2/24');
    host.addRoute({ dst: '10.1.0.0/24', via: '10.9.0.2' });
    router.addRoute({ dst: '10.0.0.0/24', via: '10.9.0.1' });
    c3.addRoute({ dst: 'default', via: '10.1.0.1' });
    const onRa = record(sim, ra);
    const onRb = record(sim, rb);
    const id = sim.rng.fork('busybox-pid').int(0x8000);
    const ping = busyboxPing(sim, c1.ns, '10.1.0.2', 2, ms(100), id);
    // traceroute starts once ping has printed its statistics (3.6 ms after its last reply in the fixture).
    const trace = busyboxTraceroute(sim, c1.ns, '10.1.0.2', ms(100) + sec(1) + ms(4), 52894 & 0x7fff);
    sim.scheduler.run({ until: sec(3) });
    expect(ping.replies).to.deep.equal([0, 1]);
    expect(trace.hops).to.deep.equal(['10.0.0.1', '10.9.0.2', '10.1.0.2']);
    const kernelRa = fixture('routed-ra.pcap');
    compare(cut(onRa, kernelRa), kernelRa);
    const kernelRb = fixture('routed-rb.pcap');
    compare(cut(onRb, kernelRb), kernelRb);
    // Identification (ip-identification.ts): c3's datagrams to 10.0.0.2 share one counter
    // bucket, so the port unreachable 4 ms after the second echo reply takes the next id (the
    // kernel: 0xff82 then 0xff83), and back-to-back probes take consecutive ids (0x8d4d, 0x8d4e).
    const idsOf = (frames: Recorded[], pred: (p: Ipv4Packet) => boolean) => frames
      .filter((r) => frameEtherType(r.frame) === EtherType.IPv4).map((r) => Ipv4Packet.parse(r.frame.subarray(14)))
      .filter(pred).map((p) => p.identification);
    for (const frames of [onRb, fixture('routed-rb.pcap')]) {
      const fromC3 = idsOf(frames, (p) => p.src === ip('10.1.0.2'));
      expect(fromC3).to.have.length(3);
      expect((fromC3[1]! - fromC3[0]! + 0x10000) % 0x10000).to.be.within(1, 251);
      expect((fromC3[2]! - fromC3[1]! + 0x10000) % 0x10000).to.equal(1);
      const probes = idsOf(frames, (p) => p.protocol === IpProtocol.UDP);
      expect((probes[1]! - probes[0]! + 0x10000) % 0x10000).to.equal(1);
    }
    // The fixture's UDP checksums are offload leftovers; ours verify.
    for (const r of [...onRa, ...onRb]) {
      if (frameEtherType(r.frame) !== EtherType.IPv4) continue;
      const p = Ipv4Packet.parse(r.frame.subarray(14));
      if (p.protocol === IpProtocol.UDP) expect(verifyUdpChecksum(p.payload, p.src, p.dst)).to.equal(true);
    }
  });

  it('overlay: ping ×3 across two hosts through VXLAN (VNI 4097) with Docker-style static entries', () => {
    const sim = newSim(3);
    const lan = new Link(sim, ['n1:eth0', 'n2:eth0'], { delay: us(10) });
    const hosts = [
      { name: 'n1', underlayIp: '192.168.50.11', c: 'o1', cIp: '10.0.1.2', hostMac: mac('7e:de:15:e7:93:72'), port: lan.a },
      { name: 'n2', underlayIp: '192.168.50.12', c: 'o2', cIp: '10.0.1.3', hostMac: mac('2e:2d:7d:d4:98:a1'), port: lan.b },
    ];
    const built = hosts.map((h, i) => {
      const ns = new NetworkNamespace(sim, h.name);
      ns.addInterface(new Nic(sim, h.port, { name: 'eth0', mac: h.hostMac }));
      ns.addAddress('eth0', `${h.underlayIp}/24`);
      const br0 = new Bridge(sim, { name: 'br0', mac: 0x0200_0000_0100 + i });
      const underlay = new NamespaceUnderlay(ns, ip(h.underlayIp));
      const vxlan = new VxlanEndpoint(sim, { name: 'vxlan0', vni: 4097, mac: 0x0200_0000_0200 + i, learning: false, proxyArp: true }, underlay);
      underlay.listen(vxlan);
      const l = new Link(sim, [`${h.name}:vxlan0`, `${h.name}:br0-vxlan0`], { ...INTERNAL_LINK, mtu: 1450 });
      vxlan.attach(l.a);
      br0.addPort(l.b, { name: 'vxlan0' });
      const c = container(sim, br0, h.c, `${h.name}-veth`, `${h.cIp}/24`, undefined, 1450);
      return { ns, vxlan, c };
    });
    // Docker's overlay driver programs each peer: `bridge fdb add MAC dev vxlan0 dst VTEP` and
    // `ip neigh add IP lladdr MAC dev vxlan0` (answered by the ARP proxy).
    for (const [i, j] of [[0, 1], [1, 0]] as const) {
      const peerMac = 0x0242_0000_0000 + ip(hosts[j]!.cIp);
      built[i]!.vxlan.fdbAdd(peerMac, ip(hosts[j]!.underlayIp));
      built[i]!.vxlan.neighAdd(ip(hosts[j]!.cIp), peerMac);
    }
    const underlayN1 = record(sim, lan);
    const o1eth0 = record(sim, built[0]!.c.link);
    const id = sim.rng.fork('busybox-pid').int(0x8000);
    const ping = busyboxPing(sim, built[0]!.c.ns, '10.0.1.3', 3, ms(100), id);
    sim.scheduler.run({ until: sec(4) });
    expect(ping.replies).to.deep.equal([0, 1, 2]);
    const kernelUnderlay = fixture('overlay-n1-underlay.pcap');
    compare(cut(underlayN1, kernelUnderlay), kernelUnderlay);
    const kernelO1 = fixture('overlay-o1-eth0.pcap');
    compare(cut(o1eth0, kernelO1), kernelO1);
    // One outer source port for the whole flow, in Linux's range, with a valid UDP checksum.
    const ports = new Set<number>();
    for (const r of underlayN1) {
      if (frameEtherType(r.frame) !== EtherType.IPv4) continue;
      const p = Ipv4Packet.parse(r.frame.subarray(14));
      const u = UdpPacket.parse(p.payload);
      ports.add(u.srcPort);
      expect(verifyUdpChecksum(p.payload, p.src, p.dst)).to.equal(true);
    }
    expect(ports.size).to.equal(1);
    expect([...ports][0]).to.be.within(32768, 60998);
  });
});

