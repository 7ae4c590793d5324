// ARP for Ethernet/IPv4 (RFC 826): the request/reply pair the kernel sent in bridge-br0.pcap.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ARP_LEN, ArpOp, ArpPacket, WireError, arpReprOf, emitArp, fromHex, parseIpv4, parseMac, toHex,
} from '../src/wire';
import type { ArpRepr } from '../src/wire';

/** Container 1 (10.0.0.2) asks for 10.0.0.3, as in bridge-br0.pcap (Ethernet header removed). */
const REQUEST = fromHex([
  '00 01', //             HTYPE 1 = Ethernet
  '08 00', //             PTYPE 0x0800 = IPv4
  '06', //                HLEN 6
  '04', //                PLEN 4
  '00 01', //             OPER 1 = request
  '02 42 0a 00 00 02', // SHA 02:42:0a:00:00:02
  '0a 00 00 02', //       SPA 10.0.0.2
  '00 00 00 00 00 00', // THA unknown (zeros, as Linux sends it)
  '0a 00 00 03', //       TPA 10.0.0.3
].join(''));

/** Container 2's answer. */
const REPLY = fromHex([
  '00 01', //             HTYPE Ethernet
  '08 00', //             PTYPE IPv4
  '06 04', //             HLEN 6, PLEN 4
  '00 02', //             OPER 2 = reply
  '02 42 0a 00 00 03', // SHA 02:42:0a:00:00:03
  '0a 00 00 03', //       SPA 10.0.0.3
  '02 42 0a 00 00 02', // THA 02:42:0a:00:00:02
  '0a 00 00 02', //       TPA 10.0.0.2
].join(''));

const arbitraryRepr: fc.Arbitrary<ArpRepr> = fc.record({
  op: fc.integer({ min: 0, max: 0xffff }),
  senderMac: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  senderIp: fc.integer({ min: 0, max: 0xffff_ffff }),
  targetMac: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  targetIp: fc.integer({ min: 0, max: 0xffff_ffff }),
});

describe('wire/arp', () => {
  it('reads every field of a request', () => {
    const p = ArpPacket.parse(REQUEST);
    expect(p.htype).to.equal(1);
    expect(p.ptype).to.equal(0x0800);
    expect(p.hlen).to.equal(6);
    expect(p.plen).to.equal(4);
    expect(p.op).to.equal(ArpOp.Request);
    expect(p.senderMac).to.equal(parseMac('02:42:0a:00:00:02'));
    expect(p.senderIp).to.equal(parseIpv4('10.0.0.2'));
    expect(p.targetMac).to.equal(0);
    expect(p.targetIp).to.equal(parseIpv4('10.0.0.3'));
    expect(p.isGratuitous).to.equal(false);
    expect(p.isProbe).to.equal(false);
  });

  it('parses a reply to its Repr', () => {
    expect(arpReprOf(ArpPacket.parse(REPLY))).to.deep.equal({
      op: ArpOp.Reply,
      senderMac: parseMac('02:42:0a:00:00:03'),
      senderIp: parseIpv4('10.0.0.3'),
      targetMac: parseMac('02:42:0a:00:00:02'),
      targetIp: parseIpv4('10.0.0.2'),
    });
  });

  it('emits exactly the 28 bytes, leaving the rest of the buffer alone', () => {
    const out = new Uint8Array(40).fill(0xa5);
    const end = emitArp(arpReprOf(ArpPacket.parse(REQUEST)), out, 5);
    expect(end).to.equal(5 + ARP_LEN);
    expect(toHex(out.subarray(5, end))).to.equal(toHex(REQUEST));
    expect([...out.subarray(0, 5), ...out.subarray(end)].every((b) => b === 0xa5)).to.equal(true);
  });

  it('recognises gratuitous ARP (request or reply) and RFC 5227 probes', () => {
    const mac = parseMac('02:42:0a:00:00:02');
    const ip = parseIpv4('10.0.0.2');
    const out = new Uint8Array(ARP_LEN);
    emitArp({ op: ArpOp.Request, senderMac: mac, senderIp: ip, targetMac: 0, targetIp: ip }, out);
    expect(ArpPacket.parse(out).isGratuitous).to.equal(true);
    emitArp({ op: ArpOp.Reply, senderMac: mac, senderIp: ip, targetMac: mac, targetIp: ip }, out);
    expect(ArpPacket.parse(out).isGratuitous).to.equal(true);
    emitArp({ op: ArpOp.Request, senderMac: mac, senderIp: 0, targetMac: 0, targetIp: ip }, out);
    expect(ArpPacket.parse(out).isProbe).to.equal(true);
    expect(ArpPacket.parse(out).isGratuitous).to.equal(false);
  });

  it('ignores Ethernet padding after the 28 bytes', () => {
    const padded = new Uint8Array(46);
    padded.set(REQUEST);
    expect(arpReprOf(ArpPacket.parse(padded))).to.deep.equal(arpReprOf(ArpPacket.parse(REQUEST)));
  });

  it('passes unknown operations through as numbers', () => {
    const rarp = Uint8Array.from(REQUEST);
    rarp[7] = 3; // OPER 3 = RARP request
    expect(ArpPacket.parse(rarp).op).to.equal(3);
  });

  it('refuses truncated packets', () => {
    expect(() => ArpPacket.parse(REQUEST.subarray(0, 27))).to.throw(WireError, 'arp: truncated');
    expect(() => ArpPacket.parse(REQUEST.subarray(0, 7))).to.throw(WireError, 'arp: truncated');
    expect(() => emitArp(arpReprOf(ArpPacket.parse(REQUEST)), new Uint8Array(30), 3)).to.throw(WireError, 'buffer too small');
  });

  it('refuses other hardware/protocol types and address lengths that lie', () => {
    const cases: [number, number][] = [[1, 6], [3, 0x86], [4, 8], [5, 16]]; // [byte index, value]
    for (const [index, value] of cases) {
      const bad = Uint8Array.from(REQUEST);
      bad[index] = value;
      expect(() => ArpPacket.parse(bad), `byte ${index} = ${value}`).to.throw(WireError, 'unsupported hardware/protocol');
    }
  });

  it('property: parse(emit(r)) equals r', () => {
    fc.assert(fc.property(arbitraryRepr, (r) => {
      const out = new Uint8Array(ARP_LEN);
      emitArp(r, out);
      expect(arpReprOf(ArpPacket.parse(out))).to.deep.equal(r);
    }), { numRuns: 300 });
  });

  it('property: random bytes throw nothing but WireError', () => {
    const header = fc.constantFrom(REQUEST.subarray(0, 8), fromHex('00 01 08 00 06 04'), new Uint8Array(0));
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 40 }), (prefix, rest) => {
      const bytes = new Uint8Array(prefix.length + rest.length);
      bytes.set(prefix);
      bytes.set(rest, prefix.length);
      try {
        arpReprOf(ArpPacket.parse(bytes));
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
