// ICMPv4 (RFC 792): echo, destination unreachable (RFC 1191 MTU), time exceeded, error quotes.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ICMP_HEADER_LEN, IcmpPacket, IcmpType, IcmpUnreachCode, LINUX_ICMP_ERROR_QUOTE_MAX, WireError, emitIcmp, emitIpv4,
  Ipv4Packet, fromHex, icmpErrorQuote, icmpLength, icmpReprOf, toHex, udpDstPort, udpSrcPort,
} from '../src/wire';
import type { IcmpRepr } from '../src/wire';

/** The first echo request of bridge-br0.pcap (busybox ping: 8 bytes of time, then zeros). */
const ECHO_REQUEST = fromHex([
  '08', //          type 8 = echo request
  '00', //          code 0
  'bb fe', //       checksum
  '32 3c', //       identifier 0x323c
  '00 00', //       sequence 0
  'ac 5b 5d 69 00 00 00 00', // data: busybox's timestamp…
  ' 00'.repeat(48), //          …then 48 zero bytes (56 bytes of data in all)
].join(''));

/** The traceroute probe of routed-ra.pcap (IP header + UDP, as the target received it). */
const PROBE = fromHex([
  '45 00 00 2e 8d 4e 40 00 01 11 d8 6c 0a 00 00 02 0a 01 00 02', // IPv4, TTL 1, UDP, 46 bytes
  'ce 9e 82 9d 00 1a 14 30', //                                     UDP 52894 → 33437, length 26
  '03 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', //       18 bytes of probe data
].join(''));

/** The target's port unreachable for that probe (routed-ra.pcap): Linux quotes all 46 bytes. */
const PORT_UNREACHABLE = fromHex([
  '03', //          type 3 = destination unreachable
  '03', //          code 3 = port unreachable
  '94 73', //       checksum
  '00 00 00 00', // unused
  toHex(PROBE), //  the offending datagram
].join(''));

/** The router's time exceeded for the TTL-1 probe to 33436 (routed-rb.pcap). */
const TIME_EXCEEDED = fromHex([
  '0b', //          type 11 = time exceeded
  '00', //          code 0 = TTL exceeded in transit
  '8d 78', //       checksum
  '00 00 00 00', // unused
  '45 00 00 2e 8d 4d 40 00 01 11 d8 6d 0a 00 00 02 0a 01 00 02', // quoted IP header
  'ce 9e 82 9c 00 1a 14 30 02 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', // UDP + data
].join(''));

/** Fragmentation needed with a next-hop MTU of 1450 (a VXLAN overlay), written by hand. */
const FRAG_NEEDED = fromHex([
  '03', //          type 3 = destination unreachable
  '04', //          code 4 = fragmentation needed and DF set
  '01 17', //       checksum (computed independently)
  '00 00', //       unused
  '05 aa', //       next-hop MTU 1450 (RFC 1191)
  '45 00 00 54 fd 80 40 00 40 01 29 24 0a 00 00 02 0a 00 00 03', // quoted IP header
  '08 00 bb fe 32 3c 00 00', // its first 8 payload bytes
].join(''));

const bytes = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const u16 = fc.integer({ min: 0, max: 0xffff });
const arbitraryRepr: fc.Arbitrary<IcmpRepr> = fc.oneof(
  fc.record({ kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const), identifier: u16, sequence: u16, data: bytes(64) }),
  fc.record({ kind: fc.constant('dest-unreachable' as const), code: fc.constant(IcmpUnreachCode.FragNeeded), nextHopMtu: u16, quote: bytes(48) }),
  fc.record({
    kind: fc.constant('dest-unreachable' as const),
    code: fc.integer({ min: 0, max: 255 }).filter((c) => c !== IcmpUnreachCode.FragNeeded),
    quote: bytes(48),
  }),
  fc.record({ kind: fc.constant('time-exceeded' as const), code: fc.integer({ min: 0, max: 255 }), quote: bytes(48) }),
  fc.record({
    kind: fc.constant('other' as const),
    type: fc.integer({ min: 0, max: 255 }).filter((t) => ![0, 3, 8, 11].includes(t)),
    code: fc.integer({ min: 0, max: 255 }),
    rest: fc.integer({ min: 0, max: 0xffff_ffff }),
    data: bytes(48),
  }),
);

function emitted(r: IcmpRepr): Uint8Array {
  const out = new Uint8Array(icmpLength(r));
  emitIcmp(r, out);
  return out;
}

describe('wire/icmp', () => {
  it('reads every field of an echo request', () => {
    const p = IcmpPacket.parse(ECHO_REQUEST, { verifyChecksum: true });
    expect(p.type).to.equal(IcmpType.EchoRequest);
    expect(p.code).to.equal(0);
    expect(p.checksum).to.equal(0xbbfe);
    expect(p.identifier).to.equal(0x323c);
    expect(p.sequence).to.equal(0);
    expect(p.data.length).to.equal(56);
    expect(p.isError).to.equal(false);
    expect(icmpReprOf(p)).to.deep.equal({ kind: 'echo-request', identifier: 0x323c, sequence: 0, data: ECHO_REQUEST.subarray(8) });
  });

  it('reads errors: port unreachable, time exceeded, fragmentation needed with its MTU', () => {
    const pu = IcmpPacket.parse(PORT_UNREACHABLE, { verifyChecksum: true });
    expect([pu.type, pu.code, pu.isError]).to.deep.equal([3, 3, true]);
    expect(icmpReprOf(pu)).to.deep.equal({ kind: 'dest-unreachable', code: IcmpUnreachCode.Port, quote: PROBE });
    const te = IcmpPacket.parse(TIME_EXCEEDED, { verifyChecksum: true });
    expect(icmpReprOf(te)).to.deep.include({ kind: 'time-exceeded', code: 0 });
    const fn = IcmpPacket.parse(FRAG_NEEDED, { verifyChecksum: true });
    expect(fn.nextHopMtu).to.equal(1450);
    const r = icmpReprOf(fn);
    expect(r).to.deep.include({ kind: 'dest-unreachable', code: IcmpUnreachCode.FragNeeded, nextHopMtu: 1450 });
    expect(r.kind === 'dest-unreachable' && toHex(r.quote)).to.equal(toHex(FRAG_NEEDED.subarray(8)));
  });

  it('emits every vector byte for byte, checksum included, touching nothing else', () => {
    for (const vector of [ECHO_REQUEST, PORT_UNREACHABLE, TIME_EXCEEDED, FRAG_NEEDED]) {
      const r = icmpReprOf(IcmpPacket.parse(vector));
      expect(icmpLength(r)).to.equal(vector.length);
      const out = new Uint8Array(vector.length + 8).fill(0xa5);
      const end = emitIcmp(r, out, 4);
      expect(end).to.equal(4 + vector.length);
      expect(toHex(out.subarray(4, end))).to.equal(toHex(vector));
      expect([...out.subarray(0, 4), ...out.subarray(end)].every((b) => b === 0xa5)).to.equal(true);
    }
  });

  it('keeps bytes the typed forms cannot carry by falling back to "other"', () => {
    const oddEcho = Uint8Array.from(ECHO_REQUEST);
    oddEcho[1] = 1; // echo with a non-zero code
    expect(icmpReprOf(IcmpPacket.parse(oddEcho)).kind).to.equal('other');
    const extended = Uint8Array.from(TIME_EXCEEDED);
    extended[5] = 17; // RFC 4884 length byte in the "unused" word
    const r = icmpReprOf(IcmpPacket.parse(extended));
    expect(r).to.deep.include({ kind: 'other', type: 11, code: 0, rest: 0x0011_0000 });
    // Re-emitted, only the (now stale) checksum differs.
    const again = emitted(r);
    expect(toHex(again.subarray(4))).to.equal(toHex(extended.subarray(4)));
    expect(IcmpPacket.parse(again).checksumValid).to.equal(true);
    // A non-zero MTU on another unreachable code is kept as nextHopMtu.
    const hostWithMtu = Uint8Array.from(FRAG_NEEDED);
    hostWithMtu[1] = IcmpUnreachCode.Host;
    expect(icmpReprOf(IcmpPacket.parse(hostWithMtu))).to.deep.include({ code: 1, nextHopMtu: 1450 });
  });

  it('refuses truncated messages, and a bad checksum when verifying', () => {
    expect(() => IcmpPacket.parse(ECHO_REQUEST.subarray(0, 7))).to.throw(WireError, 'icmp: truncated');
    expect(IcmpPacket.parse(ECHO_REQUEST.subarray(0, 8)).data.length).to.equal(0);
    const bad = Uint8Array.from(ECHO_REQUEST);
    bad[20] = 1;
    expect(() => IcmpPacket.parse(bad, { verifyChecksum: true })).to.throw(WireError, 'icmp: bad checksum');
    expect(IcmpPacket.parse(bad).checksumValid).to.equal(false);
    expect(() => emitIcmp(icmpReprOf(IcmpPacket.parse(ECHO_REQUEST)), new Uint8Array(63))).to.throw(WireError, 'buffer too small');
  });

  it('quotes the IP header plus 8 bytes (RFC 792), or as much as Linux does', () => {
    expect(toHex(icmpErrorQuote(PROBE))).to.equal(toHex(PROBE.subarray(0, 28)));
    // Linux quoted the whole 46-byte probe in routed-ra.pcap.
    expect(toHex(icmpErrorQuote(PROBE, LINUX_ICMP_ERROR_QUOTE_MAX))).to.equal(toHex(PROBE));
    // Ethernet padding after Total Length is never quoted.
    const padded = new Uint8Array([...PROBE, 0, 0, 0, 0]);
    expect(icmpErrorQuote(padded, LINUX_ICMP_ERROR_QUOTE_MAX).length).to.equal(46);
    // A 1000-byte datagram: 548 bytes, so that the error fits in 576.
    const big = new Uint8Array(1000);
    emitIpv4({ src: 1, dst: 2, protocol: 17, ttl: 1, identification: 7, payloadLength: 980 }, big);
    expect(icmpErrorQuote(big, LINUX_ICMP_ERROR_QUOTE_MAX).length).to.equal(548);
    expect(20 + ICMP_HEADER_LEN + 548).to.equal(576);
    // A datagram with options: its whole header plus 8.
    const withOptions = new Uint8Array(60);
    emitIpv4({ src: 1, dst: 2, protocol: 17, ttl: 1, identification: 7, payloadLength: 36, options: new Uint8Array(4) }, withOptions);
    expect(icmpErrorQuote(withOptions).length).to.equal(32);
    expect(() => icmpErrorQuote(PROBE.subarray(0, 10))).to.throw(WireError, 'ipv4: truncated');
  });

  it('lets the receiver of an error read the RFC 792 quote, whose Total Length exceeds it', () => {
    const quote = icmpErrorQuote(PROBE);
    expect(() => Ipv4Packet.parse(quote)).to.throw(WireError, 'length field exceeds buffer');
    const quoted = Ipv4Packet.parse(quote, { allowTruncated: true, verifyChecksum: true });
    expect(quoted.totalLength).to.equal(46);
    expect(toHex(quoted.payload)).to.equal('ce 9e 82 9d 00 1a 14 30'); // the probe's UDP header
    expect([udpSrcPort(quoted.payload), udpDstPort(quoted.payload)]).to.deep.equal([52894, 33437]);
  });

  it('property: parse(emit(r)) equals r, and the checksum verifies', () => {
    fc.assert(fc.property(arbitraryRepr, (r) => {
      const p = IcmpPacket.parse(emitted(r), { verifyChecksum: true });
      expect(icmpReprOf(p)).to.deep.equal(r);
    }), { numRuns: 300 });
  });

  it('property: random bytes throw nothing but WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (b, verify) => {
      try {
        icmpReprOf(IcmpPacket.parse(b, { verifyChecksum: verify }));
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
      try {
        icmpErrorQuote(b, 548);
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
