// One-line frame summaries (tshark's Info column, roughly) for traces and pcapng comments.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ArpOp, DnsClass, DnsRcode, DnsType, EtherType, IpProtocol, buildEthernetFrame, emitArp, emitDns, emitIcmp, emitIpv4,
  emitUdp, emitVxlan, fromHex, icmpLength, parseIpv4, parseMac, summarizeFrame,
} from '../src/wire';
import type { DnsMessage, EthernetRepr, IcmpRepr } from '../src/wire';

const C1_MAC = parseMac('02:42:0a:00:00:02');
const C2_MAC = parseMac('02:42:0a:00:00:03');
const C1 = parseIpv4('10.0.0.2');
const C2 = parseIpv4('10.0.0.3');
const RESOLVER = parseIpv4('127.0.0.11');
const ETH: EthernetRepr = { dst: C2_MAC, src: C1_MAC, etherType: EtherType.IPv4 };

/** The echo request of bridge-br0.pcap, whole frame. */
const KERNEL_ECHO = fromHex(
  '02 42 0a 00 00 03 02 42 0a 00 00 02 08 00 45 00 00 54 fd 80 40 00 40 01 29 24 0a 00 00 02 0a 00 00 03'
  + ' 08 00 bb fe 32 3c 00 00 ac 5b 5d 69' + ' 00'.repeat(52),
);

function ipv4Frame(src: number, dst: number, protocol: number, payload: Uint8Array, eth: EthernetRepr = ETH): Uint8Array {
  const ip = new Uint8Array(20 + payload.length);
  ip.set(payload, emitIpv4({ src, dst, protocol, ttl: 64, identification: 1, payloadLength: payload.length }, ip));
  return buildEthernetFrame(eth, ip);
}
function udpFrame(src: number, dst: number, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const udp = new Uint8Array(8 + payload.length);
  emitUdp({ srcPort, dstPort }, payload, udp, 0, src, dst);
  return ipv4Frame(src, dst, IpProtocol.UDP, udp);
}
function icmpFrame(src: number, dst: number, r: IcmpRepr): Uint8Array {
  const icmp = new Uint8Array(icmpLength(r));
  emitIcmp(r, icmp);
  return ipv4Frame(src, dst, IpProtocol.ICMP, icmp);
}
function arpFrame(op: number, senderIp: number, targetMac: number, targetIp: number, dst = 0xffff_ffff_ffff): Uint8Array {
  const arp = new Uint8Array(28);
  emitArp({ op, senderMac: C1_MAC, senderIp, targetMac, targetIp }, arp);
  return buildEthernetFrame({ dst, src: C1_MAC, etherType: EtherType.ARP }, arp);
}
const QUERY: DnsMessage = {
  id: 0x1234, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0,
  questions: [{ name: 'c2', type: DnsType.A, class: DnsClass.IN }], answers: [], authorities: [], additionals: [],
};

describe('wire/frame-summary', () => {
  it('describes ARP requests, replies, probes, announcements and gratuitous ARP', () => {
    expect(summarizeFrame(arpFrame(ArpOp.Request, C1, 0, C2))).to.equal('ARP Who has 10.0.0.3? Tell 10.0.0.2');
    const reply = new Uint8Array(28);
    emitArp({ op: ArpOp.Reply, senderMac: C2_MAC, senderIp: C2, targetMac: C1_MAC, targetIp: C1 }, reply);
    expect(summarizeFrame(buildEthernetFrame({ dst: C1_MAC, src: C2_MAC, etherType: EtherType.ARP }, reply)))
      .to.equal('ARP 10.0.0.3 is at 02:42:0a:00:00:03');
    expect(summarizeFrame(arpFrame(ArpOp.Request, 0, 0, C2))).to.equal('ARP Who has 10.0.0.3? (ARP Probe)');
    expect(summarizeFrame(arpFrame(ArpOp.Request, C1, 0, C1))).to.equal('ARP Announcement for 10.0.0.2');
    expect(summarizeFrame(arpFrame(ArpOp.Request, C1, 0xffff_ffff_ffff, C1))).to.equal('ARP Gratuitous ARP for 10.0.0.2 (Request)');
    expect(summarizeFrame(arpFrame(ArpOp.Reply, C1, 0xffff_ffff_ffff, C1))).to.equal('ARP Gratuitous ARP for 10.0.0.2 (Reply)');
    expect(summarizeFrame(arpFrame(3, C1, 0, C2))).to.equal('ARP opcode 3 10.0.0.2 (02:42:0a:00:00:02) → 10.0.0.3');
  });

  it('describes ICMP echo with id, seq and TTL', () => {
    expect(summarizeFrame(KERNEL_ECHO)).to.equal('10.0.0.2 → 10.0.0.3 ICMP Echo (ping) request id=0x323c, seq=0, ttl=64');
    const reply = icmpFrame(C2, C1, { kind: 'echo-reply', identifier: 0x12, sequence: 7, data: new Uint8Array(4) });
    expect(summarizeFrame(reply)).to.equal('10.0.0.3 → 10.0.0.2 ICMP Echo (ping) reply id=0x0012, seq=7, ttl=64');
  });

  it('describes ICMP errors', () => {
    const quote = new Uint8Array(28);
    expect(summarizeFrame(icmpFrame(C2, C1, { kind: 'dest-unreachable', code: 3, quote })))
      .to.equal('10.0.0.3 → 10.0.0.2 ICMP Destination unreachable (Port unreachable)');
    expect(summarizeFrame(icmpFrame(C2, C1, { kind: 'dest-unreachable', code: 4, nextHopMtu: 1450, quote })))
      .to.equal('10.0.0.3 → 10.0.0.2 ICMP Destination unreachable (Fragmentation needed) next-hop MTU=1450');
    expect(summarizeFrame(icmpFrame(C2, C1, { kind: 'dest-unreachable', code: 13, quote })))
      .to.equal('10.0.0.3 → 10.0.0.2 ICMP Destination unreachable (Communication administratively filtered)');
    expect(summarizeFrame(icmpFrame(C2, C1, { kind: 'time-exceeded', code: 0, quote })))
      .to.equal('10.0.0.3 → 10.0.0.2 ICMP Time-to-live exceeded (Time to live exceeded in transit)');
    expect(summarizeFrame(icmpFrame(C2, C1, { kind: 'other', type: 5, code: 1, rest: 0, data: quote })))
      .to.equal('10.0.0.3 → 10.0.0.2 ICMP type=5, code=1');
  });

  it('describes UDP, and DNS queries and responses on port 53', () => {
    expect(summarizeFrame(udpFrame(C1, C2, 52894, 33437, new Uint8Array(18)))).to.equal('10.0.0.2 → 10.0.0.3 UDP 52894 → 33437 Len=18');
    expect(summarizeFrame(udpFrame(C1, RESOLVER, 40000, 53, emitDns(QUERY))))
      .to.equal('10.0.0.2 → 127.0.0.11 UDP 40000 → 53 DNS Standard query 0x1234 A c2');
    const answer: DnsMessage = {
      ...QUERY, qr: true, ra: true,
      answers: [{ name: 'c2', type: DnsType.A, class: DnsClass.IN, ttl: 600, data: { kind: 'A', address: C2 } }],
    };
    expect(summarizeFrame(udpFrame(RESOLVER, C1, 53, 40000, emitDns(answer))))
      .to.equal('127.0.0.11 → 10.0.0.2 UDP 53 → 40000 DNS Standard query response 0x1234 A c2 A 10.0.0.3');
    const nx: DnsMessage = { ...QUERY, qr: true, rcode: DnsRcode.NXDomain, questions: [{ name: 'c9', type: DnsType.AAAA, class: 1 }] };
    expect(summarizeFrame(udpFrame(RESOLVER, C1, 53, 40000, emitDns(nx))))
      .to.equal('127.0.0.11 → 10.0.0.2 UDP 53 → 40000 DNS Standard query response 0x1234 No such name AAAA c9');
    // As in tshark, records of the authority and additional sections are listed too.
    const withSoa: DnsMessage = {
      ...nx,
      authorities: [{ name: '', type: DnsType.SOA, class: 1, ttl: 1, data: { kind: 'raw', rdata: new Uint8Array(22) } }],
      additionals: [{ name: 'ns', type: DnsType.NS, class: 1, ttl: 1, data: { kind: 'NS', name: 'ns.example' } }],
    };
    expect(summarizeFrame(udpFrame(RESOLVER, C1, 53, 40000, emitDns(withSoa))))
      .to.equal('127.0.0.11 → 10.0.0.2 UDP 53 → 40000 DNS Standard query response 0x1234 No such name AAAA c9 SOA NS ns.example');
    const srv: DnsMessage = {
      ...QUERY, qr: true, questions: [{ name: 'tasks.web', type: DnsType.SRV, class: 1 }],
      answers: [{ name: 'tasks.web', type: DnsType.SRV, class: 1, ttl: 1, data: { kind: 'SRV', priority: 0, weight: 5, port: 80, target: 'web.1' } }],
    };
    expect(summarizeFrame(udpFrame(RESOLVER, C1, 53, 40000, emitDns(srv))))
      .to.contain('DNS Standard query response 0x1234 SRV tasks.web SRV 0 5 80 web.1');
  });

  it('describes a VXLAN packet by the frame it carries', () => {
    const vxlan = new Uint8Array(8 + KERNEL_ECHO.length);
    vxlan.set(KERNEL_ECHO, emitVxlan({ vni: 4097 }, vxlan));
    expect(summarizeFrame(udpFrame(parseIpv4('192.168.50.11'), parseIpv4('192.168.50.12'), 39515, 4789, vxlan)))
      .to.equal('VXLAN VNI 4097: 10.0.0.2 → 10.0.0.3 ICMP Echo (ping) request id=0x323c, seq=0, ttl=64');
  });

  it('describes 802.1Q-tagged frames, and QinQ', () => {
    const arp = new Uint8Array(28);
    emitArp({ op: ArpOp.Request, senderMac: C1_MAC, senderIp: C1, targetMac: 0, targetIp: C2 }, arp);
    const tagged = buildEthernetFrame({ dst: 0xffff_ffff_ffff, src: C1_MAC, etherType: EtherType.ARP, vlan: { vid: 10 } }, arp);
    expect(summarizeFrame(tagged)).to.equal('802.1Q VID 10: ARP Who has 10.0.0.3? Tell 10.0.0.2');
    const inner = new Uint8Array([0x00, 0x14, 0x08, 0x06, ...arp]); // VID 20, then ARP
    const qinq = buildEthernetFrame({ dst: 0xffff_ffff_ffff, src: C1_MAC, etherType: EtherType.VLAN, vlan: { vid: 10 } }, inner);
    expect(summarizeFrame(qinq)).to.equal('802.1Q VID 10: 802.1Q VID 20: ARP Who has 10.0.0.3? Tell 10.0.0.2');
  });

  it('describes TCP segments, fragments and other protocols', () => {
    const syn = fromHex('9c 40 00 50 00 00 00 01 00 00 00 00 50 02 fa f0 00 00 00 00'); // 40000 → 80, SYN, win 64240
    expect(summarizeFrame(ipv4Frame(C1, C2, IpProtocol.TCP, syn))).to.equal('10.0.0.2 → 10.0.0.3 TCP 40000 → 80 [SYN] Seq=1 Ack=0 Win=64240 Len=0');
    const ip = new Uint8Array(28);
    emitIpv4({ src: C1, dst: C2, protocol: 17, ttl: 64, identification: 0xabcd, payloadLength: 8, moreFragments: true, fragmentOffset: 1480 }, ip);
    expect(summarizeFrame(buildEthernetFrame(ETH, ip))).to.equal('10.0.0.2 → 10.0.0.3 Fragmented IP protocol (proto=UDP 17, off=1480, ID=abcd)');
    expect(summarizeFrame(ipv4Frame(C1, C2, 47, new Uint8Array(4)))).to.equal('10.0.0.2 → 10.0.0.3 GRE (4 bytes)');
    expect(summarizeFrame(ipv4Frame(C1, C2, 200, new Uint8Array(4)))).to.equal('10.0.0.2 → 10.0.0.3 IP protocol 200 (4 bytes)');
    expect(summarizeFrame(buildEthernetFrame({ ...ETH, etherType: EtherType.IPv6 }, new Uint8Array(40)))).to.equal('IPv6 (40 bytes, not decoded)');
    expect(summarizeFrame(buildEthernetFrame({ ...ETH, etherType: 0x88cc }, new Uint8Array(10)))).to.equal('EtherType 0x88cc (10 bytes)');
    expect(summarizeFrame(buildEthernetFrame({ ...ETH, etherType: 38 }, new Uint8Array(38)))).to.equal('IEEE 802.3 length 38');
  });

  it('says where a frame breaks, keeping what was readable', () => {
    expect(summarizeFrame(new Uint8Array(10))).to.equal('malformed Ethernet: truncated');
    expect(summarizeFrame(KERNEL_ECHO.subarray(0, 30))).to.equal('malformed IPv4: truncated');
    expect(summarizeFrame(KERNEL_ECHO.subarray(0, 60))).to.equal('malformed IPv4: length field exceeds buffer');
    expect(summarizeFrame(ipv4Frame(C1, C2, IpProtocol.ICMP, new Uint8Array(3)))).to.equal('10.0.0.2 → 10.0.0.3 malformed ICMP: truncated');
    expect(summarizeFrame(ipv4Frame(C1, C2, IpProtocol.UDP, fromHex('00 01 00 02 00 20 00 00'))))
      .to.equal('10.0.0.2 → 10.0.0.3 malformed UDP: length field exceeds buffer');
    expect(summarizeFrame(udpFrame(C1, RESOLVER, 40000, 53, fromHex('12 34 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01 00 01'))))
      .to.equal('10.0.0.2 → 127.0.0.11 UDP 40000 → 53 malformed DNS: compression pointer loop');
    expect(summarizeFrame(udpFrame(C1, C2, 1, 4789, new Uint8Array(4)))).to.equal('10.0.0.2 → 10.0.0.3 UDP 1 → 4789 malformed VXLAN: truncated');
    expect(summarizeFrame(udpFrame(C1, C2, 1, 4789, fromHex('08 00 00 00 00 00 01 00 ff ff'))))
      .to.equal('VXLAN VNI 1: malformed Ethernet: truncated');
    expect(summarizeFrame(buildEthernetFrame({ ...ETH, etherType: EtherType.ARP }, fromHex('00 06 08 00 06 04 00 01'))))
      .to.equal('malformed ARP: unsupported hardware/protocol');
  });

  it('property: never throws, whatever the bytes (and no codec throws anything but WireError)', () => {
    const etherTypes = fc.constantFrom(0x0800, 0x0806, 0x8100, 0x88a8, 0x86dd, 0x1234);
    const frame = fc.tuple(etherTypes, fc.uint8Array({ maxLength: 80 }), fc.boolean()).map(([type, body, ipLike]) => {
      const b = new Uint8Array(14 + body.length);
      b.set(body, 14);
      b[12] = type >>> 8;
      b[13] = type & 0xff;
      if (ipLike && body.length > 10) { b[14] = 0x45; b[16] = 0; b[17] = Math.min(body.length, 255); b[23] = [1, 6, 17][body[0]! % 3]!; }
      return b;
    });
    fc.assert(fc.property(fc.oneof(frame, fc.uint8Array({ maxLength: 40 })), (b) => {
      // "malformed frame:" is what a non-WireError (a bug) would turn into.
      expect(summarizeFrame(b)).to.be.a('string').and.not.contain('malformed frame');
    }), { numRuns: 300 });
  });
});
