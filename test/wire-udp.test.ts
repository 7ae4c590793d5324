// UDP (RFC 768): header fields, the pseudo-header checksum, and the zero-copy emit path.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  UDP_HEADER_LEN, UdpPacket, WireError, emitUdp, emitUdpHeader, fromHex, parseIpv4, toHex, udpReprOf,
  verifyUdpChecksum,
} from '../src/wire';

const CLIENT = parseIpv4('10.0.0.2');
/** Docker's embedded DNS server listens on 127.0.0.11 inside each container. */
const RESOLVER = parseIpv4('127.0.0.11');

/** A DNS query for "c2" from 10.0.0.2:40000 to 127.0.0.11:53, written by hand. */
const DNS_QUERY = fromHex([
  '9c 40', //       source port 40000
  '00 35', //       destination port 53
  '00 1c', //       length 28 = 8 + 20
  '92 99', //       checksum over the pseudo-header (computed independently)
  '12 34 01 00 00 01 00 00 00 00 00 00', // DNS header: id 0x1234, RD, one question
  '02 63 32 00', //                         QNAME "c2"
  '00 01 00 01', //                         QTYPE A, QCLASS IN
].join(''));

/** The traceroute probe of routed-ra.pcap: its checksum is the kernel's offload partial sum. */
const OFFLOADED_PROBE = fromHex([
  'ce 9e', //       source port 52894
  '82 9d', //       destination port 33437
  '00 1a', //       length 26
  '14 30', //       checksum: not final (CHECKSUM_PARTIAL on a veth)
  '03 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', // 18 bytes of probe data
].join(''));

describe('wire/udp', () => {
  it('reads every field of a datagram', () => {
    const p = UdpPacket.parse(DNS_QUERY);
    expect(p.srcPort).to.equal(40000);
    expect(p.dstPort).to.equal(53);
    expect(p.length).to.equal(28);
    expect(p.checksum).to.equal(0x9299);
    expect(toHex(p.payload)).to.equal(toHex(DNS_QUERY.subarray(8)));
    expect(udpReprOf(p)).to.deep.equal({ srcPort: 40000, dstPort: 53 });
  });

  it('verifies the checksum against the pseudo-header', () => {
    expect(verifyUdpChecksum(DNS_QUERY, CLIENT, RESOLVER)).to.equal(true);
    // Another destination address changes the pseudo-header, so the checksum no longer holds.
    expect(verifyUdpChecksum(DNS_QUERY, CLIENT, parseIpv4('127.0.0.1'))).to.equal(false);
    const corrupted = Uint8Array.from(DNS_QUERY);
    corrupted[21] = 0x43; // "c2" → "C2"
    expect(verifyUdpChecksum(corrupted, CLIENT, RESOLVER)).to.equal(false);
    // The kernel's offloaded probe is not final on the capture (see the fixtures' README).
    expect(verifyUdpChecksum(OFFLOADED_PROBE, CLIENT, parseIpv4('10.1.0.2'))).to.equal(false);
  });

  it('treats a zero checksum as "none sent", which always verifies', () => {
    const none = Uint8Array.from(DNS_QUERY);
    none[6] = 0;
    none[7] = 0;
    expect(verifyUdpChecksum(none, CLIENT, RESOLVER)).to.equal(true);
  });

  it('sends a computed checksum of zero as 0xffff (RFC 768)', () => {
    // 10.0.0.1:1000 → 10.0.0.2:2000 with the payload word 0xe01f sums to 0xffff: checksum 0.
    const out = new Uint8Array(10);
    emitUdp({ srcPort: 1000, dstPort: 2000 }, fromHex('e0 1f'), out, 0, parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'));
    expect(toHex(out)).to.equal('03 e8 07 d0 00 0a ff ff e0 1f');
    expect(verifyUdpChecksum(out, parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2'))).to.equal(true);
  });

  it('emits header and payload, returning the end offset, touching nothing else', () => {
    const out = new Uint8Array(40).fill(0xa5);
    const end = emitUdp({ srcPort: 40000, dstPort: 53 }, DNS_QUERY.subarray(8), out, 6, CLIENT, RESOLVER);
    expect(end).to.equal(6 + 28);
    expect(toHex(out.subarray(6, end))).to.equal(toHex(DNS_QUERY));
    expect([...out.subarray(0, 6), ...out.subarray(end)].every((b) => b === 0xa5)).to.equal(true);
  });

  it('emits only the header over a payload already in place (the zero-copy path)', () => {
    const out = new Uint8Array(40).fill(0xa5);
    out.set(DNS_QUERY.subarray(8), 2 + UDP_HEADER_LEN);
    expect(emitUdpHeader({ srcPort: 40000, dstPort: 53 }, out, 2, 20, CLIENT, RESOLVER)).to.equal(30);
    expect(toHex(out.subarray(2, 30))).to.equal(toHex(DNS_QUERY));
    expect([...out.subarray(0, 2), ...out.subarray(30)].every((b) => b === 0xa5)).to.equal(true);
    expect(() => emitUdpHeader({ srcPort: 1, dstPort: 2 }, out, 20, 20, CLIENT, RESOLVER)).to.throw(WireError, 'buffer too small');
  });

  it('ignores bytes after the Length field (IP padding) in the payload and the checksum', () => {
    const padded = new Uint8Array([...DNS_QUERY, 0xde, 0xad]);
    expect(UdpPacket.parse(padded).payload.length).to.equal(20);
    expect(verifyUdpChecksum(padded, CLIENT, RESOLVER)).to.equal(true);
  });

  it('refuses truncated headers and length fields that lie', () => {
    expect(() => UdpPacket.parse(DNS_QUERY.subarray(0, 7))).to.throw(WireError, 'udp: truncated');
    const short = Uint8Array.from(DNS_QUERY);
    short[5] = 7;
    expect(() => UdpPacket.parse(short)).to.throw(WireError, 'length field below 8');
    expect(verifyUdpChecksum(short, CLIENT, RESOLVER)).to.equal(false);
    expect(() => UdpPacket.parse(DNS_QUERY.subarray(0, 27))).to.throw(WireError, 'length field exceeds buffer');
    expect(verifyUdpChecksum(DNS_QUERY.subarray(0, 27), CLIENT, RESOLVER)).to.equal(false);
  });

  it('property: emitted datagrams parse back to their Repr and payload, and verify', () => {
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const ip = fc.integer({ min: 0, max: 0xffff_ffff });
    fc.assert(fc.property(u16, u16, ip, ip, fc.uint8Array({ maxLength: 64 }), (srcPort, dstPort, src, dst, payload) => {
      const out = new Uint8Array(UDP_HEADER_LEN + payload.length);
      emitUdp({ srcPort, dstPort }, payload, out, 0, src, dst);
      const p = UdpPacket.parse(out);
      expect(udpReprOf(p)).to.deep.equal({ srcPort, dstPort });
      expect(toHex(p.payload)).to.equal(toHex(payload));
      expect(p.checksum).to.not.equal(0);
      expect(verifyUdpChecksum(out, src, dst)).to.equal(true);
    }), { numRuns: 300 });
  });

  it('property: random bytes throw nothing but WireError', () => {
    // Half of the cases get a small Length field, so that some parse and some lie.
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), fc.option(fc.integer({ min: 0, max: 30 })), (b, length) => {
      if (length !== null && b.length >= 6) { b[4] = 0; b[5] = length; }
      verifyUdpChecksum(b, 1, 2);
      try {
        const p = UdpPacket.parse(b);
        expect(p.payload.length).to.equal(p.length - UDP_HEADER_LEN);
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
