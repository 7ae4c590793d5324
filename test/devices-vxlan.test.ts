import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  Bridge, Link, INTERNAL_LINK, Nic, VxlanDemux, VxlanEndpoint, VXLAN_ENDPOINT_DEFAULTS, VXLAN_OVERHEAD, VXLAN_SOURCE_PORT_RANGE,
  overlayMtu, vxlanSourcePort, type UnderlaySendOptions, type UnderlayTransport,
} from '../src/devices';
import { readCapture } from '../src/pcap';
import {
  ArpPacket, EtherType, IpProtocol, buildEthernetFrame, emitIpv4, emitUdp, formatMac, readU16, toHex, type Ipv4, type Mac,
} from '../src/wire';
import { sec, us } from '../src/sim';
import { Probe, arpRequest, collectTrace, icmpEcho, ip, mac, newSim, rawFrame, udpFrame, type Sim } from './devices-harness';

const KERNEL_FIXTURES = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'kernel');

// The overlay fixture's addresses.
const N1 = ip('192.168.50.11');
const N2 = ip('192.168.50.12');
const N1_MAC = mac('7e:de:15:e7:93:72');
const N2_MAC = mac('2e:2d:7d:d4:98:a1');
const O1 = mac('02:42:0a:00:01:02');
const O2 = mac('02:42:0a:00:01:03');
const O1_IP = ip('10.0.1.2');
const O2_IP = ip('10.0.1.3');
const VX1 = mac('aa:1b:2c:3d:4e:01');
const VNI = 4097;

interface Sent {
  dstIp: Ipv4;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  opts: UnderlaySendOptions;
}

/** An underlay that records what the endpoint asks it to send. */
class RecordingUnderlay implements UnderlayTransport {
  readonly sent: Sent[] = [];
  constructor(readonly localIp: Ipv4) {}
  sendUdp(dstIp: Ipv4, srcPort: number, dstPort: number, payload: Uint8Array, opts: UnderlaySendOptions): void {
    this.sent.push({ dstIp, srcPort, dstPort, payload, opts: { ...opts } });
  }
}

/** The outer frame a Linux underlay would build from a sendUdp call (IP id given). */
function outerFrame(s: Sent, srcIp: Ipv4, srcMac: Mac, dstMac: Mac, identification: number): Uint8Array {
  const ipBytes = new Uint8Array(20 + 8 + s.payload.length);
  emitIpv4({
    src: srcIp, dst: s.dstIp, protocol: IpProtocol.UDP, ttl: s.opts.ttl, identification,
    payloadLength: 8 + s.payload.length, dontFragment: s.opts.dontFragment, dscp: s.opts.tos >> 2, ecn: s.opts.tos & 3,
  }, ipBytes, 0);
  emitUdp({ srcPort: s.srcPort, dstPort: s.dstPort }, s.payload, ipBytes, 20, srcIp, s.dstIp);
  return buildEthernetFrame({ dst: dstMac, src: srcMac, etherType: EtherType.IPv4 }, ipBytes);
}

/** A VXLAN endpoint with a probe on its L2 side (where the bridge would be). */
function endpoint(sim: Sim, opts: Partial<ConstructorParameters<typeof VxlanEndpoint>[1]> = {}, localIp = N1) {
  const underlay = new RecordingUnderlay(localIp);
  const vx = new VxlanEndpoint(sim, { name: 'n1:vxlan0', vni: VNI, mac: VX1, ...opts }, underlay);
  const link = new Link(sim, ['n1:vxlan0-br', 'n1:vxlan0'], { ...INTERNAL_LINK, mtu: 1450 });
  vx.attach(link.b);
  const bridgeSide = new Probe(sim, link.a);
  return { vx, underlay, bridgeSide, link };
}

describe('devices: VxlanEndpoint (RFC 7348, Linux vxlan)', () => {
  const fixture = readCapture(readFileSync(resolve(KERNEL_FIXTURES, 'overlay-n1-underlay.pcap'))).packets.map((p) => new Uint8Array(p.data));

  it('encapsulates like the kernel fixture: 148 bytes, VNI 4097, port 4789, TTL 64, DF clear, TOS 0', () => {
    const sim = newSim();
    const { vx, underlay, bridgeSide } = endpoint(sim, { learning: false, proxyArp: true });
    vx.fdbAdd(O2, N2);
    const request = fixture[2]!; // 10.0.1.2 → 10.0.1.3 echo request
    const inner = request.subarray(50);
    bridgeSide.send(inner);
    sim.scheduler.run();
    expect(underlay.sent.length).to.equal(1);
    const s = underlay.sent[0]!;
    expect(s).to.deep.include({ dstIp: N2, dstPort: 4789, opts: { ttl: 64, dontFragment: false, tos: 0 } });
    expect(toHex(s.payload.subarray(0, 8)), 'I flag and VNI 4097').to.equal('08 00 00 00 00 10 01 00');
    expect(s.payload.subarray(8)).to.deep.equal(inner);
    const ours = outerFrame(s, N1, N1_MAC, N2_MAC, readU16(request, 18));
    expect(ours.length).to.equal(148);
    // Byte-exact except the UDP source port (the kernel's flow hash is seeded at boot) and the
    // checksums that cover it (the fixture's UDP checksum is a partial, offloaded one).
    const mask = (b: Uint8Array): string => {
      const c = new Uint8Array(b);
      for (const o of [34, 35, 40, 41]) c[o] = 0;
      return toHex(c);
    };
    expect(mask(ours)).to.equal(mask(request));
    expect(s.srcPort).to.be.within(VXLAN_SOURCE_PORT_RANGE.min, VXLAN_SOURCE_PORT_RANGE.max - 1);
    expect(vx.stats).to.include({ txPackets: 1, txBytes: 98 });
  });

  it('hashes a flow to the same source port in both directions, as the fixture shows (39515 both ways)', () => {
    const request = fixture[2]!.subarray(50);
    const reply = fixture[3]!.subarray(50);
    expect(readU16(fixture[2]!, 34)).to.equal(readU16(fixture[3]!, 34));
    expect(vxlanSourcePort(request)).to.equal(vxlanSourcePort(reply));
    // Different flows spread over the range.
    const ports = new Set<number>();
    for (let p = 0; p < 200; p++) {
      const port = vxlanSourcePort(udpFrame({ dstMac: O2, srcMac: O1, src: O1_IP, dst: O2_IP, srcPort: 40000 + p, dstPort: 9 }));
      expect(port).to.be.within(32768, 60998);
      ports.add(port);
    }
    expect(ports.size).to.be.greaterThan(190);
    const udp = (sp: number, dp: number, s: number, d: number, sm: Mac, dm: Mac) => udpFrame({ dstMac: dm, srcMac: sm, src: s, dst: d, srcPort: sp, dstPort: dp });
    expect(vxlanSourcePort(udp(40000, 9, O1_IP, O2_IP, O1, O2))).to.equal(vxlanSourcePort(udp(9, 40000, O2_IP, O1_IP, O2, O1)));
    expect(vxlanSourcePort(arpRequest(O1, O1_IP, O2_IP))).to.be.within(32768, 60998);
  });

  it('decapsulates the fixture\'s datagrams into the exact inner frames', () => {
    const sim = newSim();
    const { vx, bridgeSide } = endpoint(sim, { learning: false, proxyArp: true });
    for (const outer of [fixture[3]!, fixture[5]!, fixture[7]!]) vx.receiveUnderlay(N2, readU16(outer, 34), outer.subarray(42));
    sim.scheduler.run();
    expect(bridgeSide.frames.map((f) => toHex(f.frame))).to.deep.equal([fixture[3]!, fixture[5]!, fixture[7]!].map((o) => toHex(o.subarray(50))));
    expect(vx.stats).to.include({ rxPackets: 3, rxBytes: 3 * 98 });
  });

  it('copies the inner ECN bits to the outer TOS (CE as ECT(0))', () => {
    const sim = newSim();
    const { vx, underlay, bridgeSide } = endpoint(sim);
    vx.fdbAdd(O2, N2);
    for (const ecn of [0, 1, 2, 3]) bridgeSide.send(icmpEcho({ dstMac: O2, srcMac: O1, src: O1_IP, dst: O2_IP, ecn }));
    sim.scheduler.run();
    expect(underlay.sent.map((s) => s.opts.tos)).to.deep.equal([0, 1, 2, 2]);
  });

  it('floods broadcast and unknown unicast to every VTEP of the default entry, one copy each', () => {
    const sim = newSim();
    const { vx, underlay, bridgeSide } = endpoint(sim, { proxyArp: false });
    const N3 = ip('192.168.50.13');
    bridgeSide.send(rawFrame(mac('ff:ff:ff:ff:ff:ff'), O1));
    sim.scheduler.run();
    expect(underlay.sent.length, 'no default entry: dropped').to.equal(0);
    expect(vx.stats.drops['no-fdb']).to.equal(1);
    vx.fdbAppend(0, N2);
    vx.fdbAppend(0, N3);
    vx.fdbAppend(0, N3);
    vx.fdbAdd(O2, N2);
    bridgeSide.send(rawFrame(mac('ff:ff:ff:ff:ff:ff'), O1));
    bridgeSide.send(rawFrame(mac('02:42:0a:00:01:77'), O1));
    bridgeSide.send(rawFrame(O2, O1));
    sim.scheduler.run();
    expect(underlay.sent.map((s) => s.dstIp)).to.deep.equal([N2, N3, N2, N3, N2]);
    expect(underlay.sent[0]!.payload, 'the copies share one payload buffer').to.equal(underlay.sent[1]!.payload);
    expect(vx.fdb().map((e) => `${formatMac(e.mac)} ${e.remoteIp === N2 ? '.12' : '.13'}${e.isStatic ? ' permanent' : ''}`)).to.deep.equal([
      '00:00:00:00:00:00 .12 permanent', '00:00:00:00:00:00 .13 permanent', '02:42:0a:00:01:03 .12 permanent',
    ]);
    expect(vx.fdbDel(0, N3)).to.equal(true);
    expect(vx.fdbDel(0, N3)).to.equal(false);
    expect(vx.fdb().length).to.equal(2);
    expect(vx.fdbDel(O2)).to.equal(true);
    expect(vx.fdb().length).to.equal(1);
  });

  it('answers ARP requests from its neighbour table (arp_reduce) and sends no ARP into the tunnel', () => {
    const sim = newSim();
    const { vx, underlay, bridgeSide } = endpoint(sim, { proxyArp: true });
    vx.fdbAppend(0, N2);
    vx.neighAdd(O2_IP, O2);
    bridgeSide.send(arpRequest(O1, O1_IP, O2_IP));
    bridgeSide.send(arpRequest(O1, O1_IP, ip('10.0.1.99'))); // unknown: consumed, not flooded
    sim.scheduler.run();
    expect(underlay.sent.length).to.equal(0);
    expect(bridgeSide.count).to.equal(1);
    const reply = bridgeSide.frames[0]!.frame;
    expect(reply.length).to.equal(42);
    expect(formatMac(readU16(reply, 0) * 2 ** 32 + ((reply[2]! << 24 | reply[3]! << 16 | reply[4]! << 8 | reply[5]!) >>> 0))).to.equal('02:42:0a:00:01:02');
    const arp = ArpPacket.parse(reply.subarray(14));
    expect(arp).to.deep.include({ op: 2, senderMac: O2, senderIp: O2_IP, targetMac: O1, targetIp: O1_IP });
    expect(readU16(reply, 6), 'Ethernet source is the neighbour MAC').to.equal(0x0242);
    expect(vx.stats).to.include({ arpProxied: 1, arpSuppressed: 1 });
    // A gratuitous reply is consumed too; without the proxy, ARP goes to the flood list.
    const noProxy = endpoint(newSim(), { proxyArp: false });
    noProxy.vx.fdbAppend(0, N2);
    noProxy.bridgeSide.send(arpRequest(O1, O1_IP, O2_IP));
    noProxy.bridgeSide.sim.scheduler.run();
    expect(noProxy.underlay.sent.length).to.equal(1);
  });

  it('learns inner source MACs against the outer source IP, moves them, keeps static ones, ages them', () => {
    const sim = newSim();
    const { vx, underlay, bridgeSide } = endpoint(sim, { learning: true });
    const N3 = ip('192.168.50.13');
    const payload = (inner: Uint8Array): Uint8Array => {
      const p = new Uint8Array(8 + inner.length);
      p[0] = 0x08;
      p[5] = VNI >> 8;
      p[6] = VNI & 0xff;
      p.set(inner, 8);
      return p;
    };
    vx.receiveUnderlay(N2, 40000, payload(rawFrame(O1, O2)));
    expect(vx.fdb()).to.deep.equal([{ mac: O2, remoteIp: N2, isStatic: false, ageNs: 0 }]);
    bridgeSide.send(rawFrame(O2, O1));
    sim.scheduler.run();
    expect(underlay.sent.map((s) => s.dstIp), 'learnt entry used without any default entry').to.deep.equal([N2]);
    vx.receiveUnderlay(N3, 40000, payload(rawFrame(O1, O2)));
    expect(vx.fdb()[0]!.remoteIp, 'moved to the new VTEP').to.equal(N3);
    vx.fdbAdd(mac('02:42:0a:00:01:05'), N2);
    vx.receiveUnderlay(N3, 40000, payload(rawFrame(O1, mac('02:42:0a:00:01:05'))));
    expect(vx.stats.drops['static-entry'], "static entries don't migrate: the packet is dropped").to.equal(1);
    sim.scheduler.run({ until: sec(299) });
    expect(vx.fdb().some((e) => e.mac === O2)).to.equal(true);
    sim.scheduler.run({ until: sec(301) });
    expect(vx.fdb().some((e) => e.mac === O2), 'aged out after 300 s').to.equal(false);
    expect(VXLAN_ENDPOINT_DEFAULTS.learning).to.equal(true);
    // With learning off nothing is learnt.
    const quiet = endpoint(newSim(), { learning: false });
    quiet.vx.receiveUnderlay(N2, 40000, payload(rawFrame(O1, O2)));
    expect(quiet.vx.fdb()).to.deep.equal([]);
  });

  it('has the overlay MTU arithmetic: 50 bytes of overhead, 1450 on a 1500 underlay', () => {
    expect(VXLAN_OVERHEAD).to.equal(50);
    expect(overlayMtu(1500)).to.equal(1450);
    // A full-size 1450 inner packet becomes a 1500-byte outer IPv4 packet.
    const sim = newSim();
    const { vx, underlay, bridgeSide, link } = endpoint(sim);
    vx.fdbAppend(0, N2);
    bridgeSide.send(rawFrame(O2, O1, 1450));
    bridgeSide.send(rawFrame(O2, O1, 1451)); // too big for the 1450 link into vxlan0
    sim.scheduler.run();
    expect(underlay.sent.map((s) => 20 + 8 + s.payload.length)).to.deep.equal([1500]);
    expect(link.stats.aToB.drops.mtu).to.equal(1);
  });

  it('counts malformed underlay payloads per reason and never throws', () => {
    const sim = newSim();
    const { vx, bridgeSide } = endpoint(sim, { learning: true });
    const events = collectTrace(sim, ['drop']);
    const good = fixture[3]!.subarray(42);
    const variant = (f: (p: Uint8Array) => void, length = good.length): Uint8Array => {
      const p = new Uint8Array(good.subarray(0, length));
      f(p);
      return p;
    };
    const inputs: [Uint8Array, string][] = [
      [new Uint8Array(0), 'short'],
      [new Uint8Array(7), 'short'],
      [variant((p) => { p[0] = 0; }), 'bad-flags'],
      [variant((p) => { p[6] = 0x99; }), 'vni-mismatch'],
      [variant((p) => { p[0] = 0x88; }), 'bad-header'],
      [variant((p) => { p[2] = 1; }), 'bad-header'],
      [variant((p) => { p[7] = 1; }), 'bad-header'],
      [variant(() => {}, 8 + 13), 'short'],
      [variant((p) => { p[14] = 0xaa; p[15] = 0x1b; p[16] = 0x2c; p[17] = 0x3d; p[18] = 0x4e; p[19] = 0x01; }), 'loop'],
      [variant((p) => { p[14] = 0x01; }), 'invalid-src'],
      [variant((p) => p.fill(0, 14, 20)), 'invalid-src'],
    ];
    for (const [payload] of inputs) expect(() => vx.receiveUnderlay(N2, 1, payload)).to.not.throw();
    bridgeSide.send(new Uint8Array(9)); // a runt from the L2 side
    sim.scheduler.run();
    expect(bridgeSide.count).to.equal(0);
    expect(events.map((e) => e.reason)).to.deep.equal([...inputs.map(([, r]) => r), 'runt']);
    expect(vx.stats.drops).to.include({ short: 3, 'bad-flags': 1, 'vni-mismatch': 1, 'bad-header': 3, loop: 1, 'invalid-src': 2, runt: 1 });
    // Not attached: decapsulated frames have nowhere to go.
    const loose = new VxlanEndpoint(sim, { name: 'x', vni: VNI, mac: VX1, learning: false }, new RecordingUnderlay(N1));
    loose.receiveUnderlay(N2, 1, good);
    expect(loose.stats.drops['not-attached']).to.equal(1);
    expect(() => new VxlanEndpoint(sim, { name: 'x', vni: 1 << 24, mac: VX1 }, new RecordingUnderlay(N1))).to.throw(RangeError);
  });

  it('demultiplexes one UDP port to endpoints by VNI, counting what no endpoint takes', () => {
    const sim = newSim();
    const demux = new VxlanDemux(sim, 'n1:udp/4789');
    const a = endpoint(sim, { vni: 4097, learning: false });
    const b = endpoint(sim, { vni: 4098, learning: false });
    demux.add(a.vx);
    demux.add(b.vx);
    const inner = rawFrame(O2, O1);
    const wrap = (vni: number, flags = 0x08): Uint8Array => {
      const p = new Uint8Array(8 + inner.length);
      p[0] = flags;
      p[4] = vni >> 16;
      p[5] = (vni >> 8) & 0xff;
      p[6] = vni & 0xff;
      p.set(inner, 8);
      return p;
    };
    demux.receiveUnderlay(N2, 1, wrap(4098));
    demux.receiveUnderlay(N2, 1, wrap(4097));
    demux.receiveUnderlay(N2, 1, wrap(4099));
    demux.receiveUnderlay(N2, 1, wrap(4097, 0));
    demux.receiveUnderlay(N2, 1, new Uint8Array(3));
    sim.scheduler.run();
    expect([a.bridgeSide.count, b.bridgeSide.count]).to.deep.equal([1, 1]);
    expect(demux.drops).to.deep.equal({ short: 1, 'bad-flags': 1, 'unknown-vni': 1 });
    expect(() => demux.add(endpoint(sim, { vni: 4097 }).vx)).to.throw(/already used/);
    demux.remove(a.vx);
    demux.receiveUnderlay(N2, 1, wrap(4097));
    expect(demux.drops['unknown-vni']).to.equal(2);
  });

  it('carries a ping between two overlay containers across two hosts (bridge + VTEP on each)', () => {
    const sim = newSim();
    // The underlay: each host's transport delivers to the other host's demux after 10 µs.
    const demux: Record<number, VxlanDemux> = {};
    class Underlay implements UnderlayTransport {
      constructor(readonly localIp: Ipv4) {}
      sendUdp(dstIp: Ipv4, srcPort: number, _dstPort: number, payload: Uint8Array): void {
        const src = this.localIp;
        sim.scheduler.schedule(us(10), () => demux[dstIp]!.receiveUnderlay(src, srcPort, payload));
      }
    }
    const host = (localIp: Ipv4, n: number, cMac: Mac) => {
      const br = new Bridge(sim, { name: `n${n}:br0`, mac: mac(`02:42:00:00:00:0${n}`) });
      const vx = new VxlanEndpoint(sim, { name: `n${n}:vxlan0`, vni: VNI, mac: mac(`aa:00:00:00:00:0${n}`), learning: false, proxyArp: true }, new Underlay(localIp));
      const brVx = new Link(sim, [`n${n}:vxlan0-br`, `n${n}:vxlan0`], { ...INTERNAL_LINK, mtu: 1450 });
      br.addPort(brVx.a);
      vx.attach(brVx.b);
      const veth = new Link(sim, [`o${n}:eth0`, `n${n}:veth0`], { mtu: 1450 });
      br.addPort(veth.b);
      const nic = new Nic(sim, veth.a, { name: `o${n}:eth0`, mac: cMac, mtu: 1450 });
      demux[localIp] = new VxlanDemux(sim, `n${n}:udp/4789`);
      demux[localIp]!.add(vx);
      return { br, vx, nic };
    };
    const h1 = host(N1, 1, O1);
    const h2 = host(N2, 2, O2);
    // Docker's peer programming: static neighbour + FDB entries for the remote endpoint.
    h1.vx.neighAdd(O2_IP, O2);
    h1.vx.fdbAdd(O2, N2);
    h2.vx.neighAdd(O1_IP, O1);
    h2.vx.fdbAdd(O1, N1);
    const got1: Uint8Array[] = [];
    h1.nic.setHandler((f) => got1.push(f));
    h2.nic.setHandler((f, nic) => {
      const arp = readU16(f, 12) === EtherType.ARP;
      if (!arp) nic.send(icmpEcho({ dstMac: O1, srcMac: O2, src: O2_IP, dst: O1_IP, kind: 'echo-reply' }));
    });
    h1.nic.send(arpRequest(O1, O1_IP, O2_IP));
    sim.scheduler.run();
    expect(got1.length, 'the ARP proxy on host 1 answered').to.equal(1);
    expect(ArpPacket.parse(got1[0]!.subarray(14)).senderMac).to.equal(O2);
    h1.nic.send(icmpEcho({ dstMac: O2, srcMac: O1, src: O1_IP, dst: O2_IP }));
    const t0 = sim.scheduler.now;
    sim.scheduler.run();
    expect(got1.length, 'echo reply came back').to.equal(2);
    expect(got1[1]!.length).to.equal(98);
    expect(h1.vx.stats.txPackets).to.equal(1);
    expect(h2.vx.stats.rxPackets).to.equal(1);
    expect(sim.scheduler.now - t0, 'two veth crossings and one underlay hop each way').to.equal(2 * (2 * us(25) + us(10)));
  });
});
