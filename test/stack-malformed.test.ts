// Malformed input never throws out of the stack: each bad frame is a drop counted by reason.
import { expect } from 'chai';
import fc from 'fast-check';
import { ms } from '../src/sim';
import {
  ArpOp, EtherType, IpProtocol, buildEthernetFrame, emitArp, emitIcmp, emitIpv4, emitUdp, writeU16,
  MAC_BROADCAST, type Mac,
} from '../src/wire';
import { DropReason, NetworkNamespace } from '../src/stack';
import { ip, mac, newSim, veth } from './stack-harness';

const PEER = mac('02:00:00:00:00:0a');
const ME = mac('02:00:00:00:00:f0');

/** A forwarding namespace with two interfaces, a UDP socket and a raw ICMP socket open; frames are injected from eth0's peer. */
function target() {
  const sim = newSim();
  const peer = new NetworkNamespace(sim, 'peer');
  const r = new NetworkNamespace(sim, 'r', { forwarding: true });
  const other = new NetworkNamespace(sim, 'other');
  const link = veth(sim, peer, 'eth0', PEER, r, 'eth0', ME);
  veth(sim, r, 'eth1', mac('02:00:00:00:00:f1'), other, 'eth0', mac('02:00:00:00:00:0b'), { mtu: 576 });
  r.addAddress('eth0', '10.0.0.254/24');
  r.addAddress('eth1', '10.1.0.254/24');
  other.addAddress('eth0', '10.1.0.1/24');
  r.setNeighbour('eth0', '10.0.0.1', PEER);
  r.udp.bind(9).onMessage(() => {});
  r.icmp.open().onMessage(() => {});
  const inject = (frame: Uint8Array) => link.a.transmit(frame);
  return { sim, r, inject };
}

function ipFrame(dst: Mac, proto: number, payload: Uint8Array, opts: { src?: number; dstIp?: number; ttl?: number; mf?: boolean; offset?: number; df?: boolean } = {}): Uint8Array {
  const b = new Uint8Array(20 + payload.length);
  emitIpv4({
    src: opts.src ?? ip('10.0.0.1'), dst: opts.dstIp ?? ip('10.0.0.254'), protocol: proto, ttl: opts.ttl ?? 64, identification: 7,
    payloadLength: payload.length, moreFragments: opts.mf ?? false, fragmentOffset: opts.offset ?? 0, dontFragment: opts.df ?? false,
  }, b, 0);
  b.set(payload, 20);
  return buildEthernetFrame({ dst, src: PEER, etherType: EtherType.IPv4 }, b);
}

function udp(len: number, dstIp = ip('10.0.0.254'), dstPort = 9): Uint8Array {
  const u = new Uint8Array(8 + len);
  emitUdp({ srcPort: 1000, dstPort }, new Uint8Array(len), u, 0, ip('10.0.0.1'), dstIp);
  return u;
}

/** A sample of valid frames of every kind the stack parses, to be mutated. */
function validFrames(): Uint8Array[] {
  const echo = new Uint8Array(8 + 16);
  emitIcmp({ kind: 'echo-request', identifier: 1, sequence: 1, data: new Uint8Array(16) }, echo, 0);
  const quoted = ipFrame(ME, IpProtocol.UDP, udp(10, ip('10.0.0.1'))).subarray(14);
  const err = new Uint8Array(8 + quoted.length);
  emitIcmp({ kind: 'dest-unreachable', code: 4, nextHopMtu: 1000, quote: quoted }, err, 0);
  const arp = new Uint8Array(28);
  emitArp({ op: ArpOp.Request, senderMac: PEER, senderIp: ip('10.0.0.1'), targetMac: 0, targetIp: ip('10.0.0.254') }, arp);
  return [
    ipFrame(ME, IpProtocol.UDP, udp(20)),
    ipFrame(ME, IpProtocol.UDP, udp(20, ip('10.1.0.1'))),
    ipFrame(ME, IpProtocol.UDP, udp(700, ip('10.1.0.1')), { df: true }),
    ipFrame(ME, IpProtocol.ICMP, echo),
    ipFrame(ME, IpProtocol.ICMP, err),
    ipFrame(ME, IpProtocol.UDP, udp(40).subarray(0, 24), { mf: true }),
    ipFrame(ME, IpProtocol.UDP, udp(40).subarray(24), { offset: 24 }),
    ipFrame(ME, 99, new Uint8Array(8)),
    ipFrame(ME, IpProtocol.UDP, udp(8, ip('10.1.0.1')), { ttl: 1 }),
    buildEthernetFrame({ dst: MAC_BROADCAST, src: PEER, etherType: EtherType.ARP }, arp),
  ];
}

describe('stack: malformed input', () => {
  it('counts each kind of broken datagram under its own reason', () => {
    const { sim, r, inject } = target();
    const good = ipFrame(ME, IpProtocol.UDP, udp(20));
    const badChecksum = good.slice();
    badChecksum[14 + 10] = badChecksum[14 + 10]! ^ 0xff;
    const truncated = good.slice(0, 14 + 12);
    const lyingLength = good.slice();
    writeU16(lyingLength, 14 + 2, 500);
    writeU16(lyingLength, 14 + 10, 0);
    // (a lying Total Length with a fixed-up checksum)
    const fix = (f: Uint8Array) => {
      let sum = 0;
      for (let i = 14; i < 34; i += 2) sum += (f[i]! << 8) | f[i + 1]!;
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      writeU16(f, 24, ~sum & 0xffff);
      return f;
    };
    fix(lyingLength);
    const v6 = good.slice();
    v6[14] = 0x65;
    const udpBadSum = good.slice();
    udpBadSum[14 + 20 + 8] = udpBadSum[14 + 20 + 8]! ^ 1;
    const udpBadLen = good.slice();
    writeU16(udpBadLen, 14 + 20 + 4, 3);
    const arpBody = new Uint8Array(28);
    emitArp({ op: ArpOp.Request, senderMac: PEER, senderIp: ip('10.0.0.1'), targetMac: 0, targetIp: ip('10.0.0.254') }, arpBody);
    const shortArp = buildEthernetFrame({ dst: MAC_BROADCAST, src: PEER, etherType: EtherType.ARP }, arpBody.subarray(0, 20));
    for (const f of [badChecksum, truncated, lyingLength, v6, udpBadSum, udpBadLen, shortArp]) inject(f);
    expect(() => sim.scheduler.run({ until: ms(10) })).not.to.throw();
    expect(r.drops.get('ipv4: bad checksum')).to.equal(1);
    expect(r.drops.get('ipv4: truncated')).to.equal(1);
    expect(r.drops.get('ipv4: length field exceeds buffer')).to.equal(1);
    expect(r.drops.get('ipv4: not version 4')).to.equal(1);
    expect(r.drops.get(DropReason.UdpBadChecksum)).to.equal(1);
    expect(r.drops.get('udp: length field below 8')).to.equal(1);
    expect(r.drops.get('arp: truncated')).to.equal(1);
    expect(r.ipv4.stats.inHdrErrors).to.equal(4);
  });

  it('never throws on random bytes behind IPv4 and ARP EtherTypes', () => {
    const { sim, r, inject } = target();
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 120 }),
      fc.constantFrom(EtherType.IPv4, EtherType.ARP, 0x86dd, 0x8100),
      fc.constantFrom(ME, MAC_BROADCAST, mac('01:00:5e:00:00:01')),
      (payload, etherType, dst) => {
        inject(buildEthernetFrame({ dst, src: PEER, etherType }, payload));
        sim.scheduler.run({ until: sim.scheduler.now + ms(1) });
      },
    ), { seed: 4242, numRuns: 400 });
    expect(r.drops.total).to.be.greaterThan(300);
  });

  it('never throws on valid frames with random bytes changed or cut short', () => {
    const { sim, r, inject } = target();
    const samples = validFrames();
    fc.assert(fc.property(
      fc.nat({ max: samples.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
      fc.option(fc.nat()),
      (which, edits, cut) => {
        const f = samples[which]!.slice();
        for (const [pos, value] of edits) f[pos % f.length] = value;
        const frame = cut === null ? f : f.subarray(0, Math.max(14, cut % f.length));
        inject(frame);
        sim.scheduler.run({ until: sim.scheduler.now + ms(1) });
      },
    ), { seed: 99, numRuns: 1500 });
    // Let reassembly and neighbour timers expire too.
    expect(() => sim.scheduler.run({ until: sim.scheduler.now + 60e9 })).not.to.throw();
    expect(r.drops.total).to.be.greaterThan(0);
  });
});
