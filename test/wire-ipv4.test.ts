// IPv4 headers (RFC 791): fields, options, fragments, checksum, and the forwarding TTL decrement.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  IPV4_HEADER_LEN, IpProtocol, Ipv4Packet, WireError, decrementTtlInPlace, emitIpv4, fromHex,
  internetChecksum, ipv4HeaderLength, ipv4ReprOf, parseIpv4, toHex,
} from '../src/wire';
import type { Ipv4Repr } from '../src/wire';

/** The echo request header the kernel sent in bridge-br0.pcap. */
const ECHO_HEADER = fromHex([
  '45', //          version 4, IHL 5 (20 bytes)
  '00', //          DSCP 0, ECN 0
  '00 54', //       total length 84 = 20 + 64 (ICMP)
  'fd 80', //       identification 0xfd80
  '40 00', //       flags DF, fragment offset 0
  '40', //          TTL 64
  '01', //          protocol 1 = ICMP
  '29 24', //       header checksum
  '0a 00 00 02', // source 10.0.0.2
  '0a 00 00 03', // destination 10.0.0.3
].join(''));
const ECHO_PAYLOAD = fromHex('08 00 bb fe 32 3c 00 00 ac 5b 5d 69' + ' 00'.repeat(52));
const ECHO = new Uint8Array([...ECHO_HEADER, ...ECHO_PAYLOAD]);

/** An IGMP report with the Router Alert option (RFC 2113), written by hand. */
const WITH_OPTIONS = fromHex([
  '46', //          version 4, IHL 6 (24 bytes)
  'c0', //          DSCP 48 (CS6), ECN 0
  '00 20', //       total length 32
  '12 34', //       identification 0x1234
  '00 00', //       no flags, offset 0
  '01', //          TTL 1
  '02', //          protocol 2 = IGMP
  '27 cc', //       header checksum (computed independently)
  '0a 00 00 02', // source 10.0.0.2
  'e0 00 00 16', // destination 224.0.0.22
  '94 04 00 00', // option: Router Alert (type 148, length 4, value 0)
  '22 00 fa 02 00 00 00 00', // payload: 8 bytes of IGMPv3 report
].join(''));

/** A middle fragment, written by hand. */
const FRAGMENT = fromHex([
  '45', //          version 4, IHL 5
  '03', //          DSCP 0, ECN 3 (CE)
  '00 1c', //       total length 28
  'ab cd', //       identification 0xabcd
  '20 b9', //       MF set, fragment offset 185 × 8 = 1480 bytes
  '40', //          TTL 64
  '11', //          protocol 17 = UDP
  '9a 43', //       header checksum (computed independently)
  '0a 00 00 02', // source 10.0.0.2
  '0a 00 00 03', // destination 10.0.0.3
  '01 02 03 04 05 06 07 08', // 8 bytes of the datagram
].join(''));

const arbitraryRepr: fc.Arbitrary<Ipv4Repr> = fc.record({
  src: fc.integer({ min: 0, max: 0xffff_ffff }),
  dst: fc.integer({ min: 0, max: 0xffff_ffff }),
  protocol: fc.integer({ min: 0, max: 255 }),
  ttl: fc.integer({ min: 0, max: 255 }),
  identification: fc.integer({ min: 0, max: 0xffff }),
  payloadLength: fc.integer({ min: 0, max: 64 }),
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((n) => n * 8),
  dscp: fc.integer({ min: 0, max: 63 }),
  ecn: fc.integer({ min: 0, max: 3 }),
}).chain((base) => fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }).chain((words) => words === undefined
  ? fc.constant(base)
  : fc.uint8Array({ minLength: 4 * words, maxLength: 4 * words }).map((options): Ipv4Repr => ({ ...base, options }))));

/** Header plus payload bytes, as a sender would put them in a frame. */
function packetOf(r: Ipv4Repr): Uint8Array {
  const out = new Uint8Array(ipv4HeaderLength(r) + r.payloadLength);
  emitIpv4(r, out, 0);
  return out;
}

describe('wire/ipv4', () => {
  it('reads every field of a kernel echo request', () => {
    const p = Ipv4Packet.parse(ECHO, { verifyChecksum: true });
    expect(p.version).to.equal(4);
    expect(p.headerLength).to.equal(20);
    expect(p.dscp).to.equal(0);
    expect(p.ecn).to.equal(0);
    expect(p.totalLength).to.equal(84);
    expect(p.identification).to.equal(0xfd80);
    expect(p.dontFragment).to.equal(true);
    expect(p.moreFragments).to.equal(false);
    expect(p.fragmentOffset).to.equal(0);
    expect(p.isFragment).to.equal(false);
    expect(p.ttl).to.equal(64);
    expect(p.protocol).to.equal(IpProtocol.ICMP);
    expect(p.checksum).to.equal(0x2924);
    expect(p.src).to.equal(parseIpv4('10.0.0.2'));
    expect(p.dst).to.equal(parseIpv4('10.0.0.3'));
    expect(p.options.length).to.equal(0);
    expect(toHex(p.header)).to.equal(toHex(ECHO_HEADER));
    expect(toHex(p.payload)).to.equal(toHex(ECHO_PAYLOAD));
  });

  it('reads options, DSCP and a fragment offset in bytes', () => {
    const o = Ipv4Packet.parse(WITH_OPTIONS, { verifyChecksum: true });
    expect(o.headerLength).to.equal(24);
    expect(o.dscp).to.equal(48);
    expect(toHex(o.options)).to.equal('94 04 00 00');
    expect(o.payload.length).to.equal(8);
    const f = Ipv4Packet.parse(FRAGMENT);
    expect(f.moreFragments).to.equal(true);
    expect(f.dontFragment).to.equal(false);
    expect(f.fragmentOffset).to.equal(1480);
    expect(f.isFragment).to.equal(true);
    expect(f.ecn).to.equal(3);
  });

  it('parses to a Repr with every flag field and, when present, the options', () => {
    expect(ipv4ReprOf(Ipv4Packet.parse(ECHO))).to.deep.equal({
      src: parseIpv4('10.0.0.2'), dst: parseIpv4('10.0.0.3'), protocol: 1, ttl: 64, identification: 0xfd80,
      payloadLength: 64, dontFragment: true, moreFragments: false, fragmentOffset: 0, dscp: 0, ecn: 0,
    });
    const r = ipv4ReprOf(Ipv4Packet.parse(WITH_OPTIONS));
    expect(r.options && toHex(r.options)).to.equal('94 04 00 00');
  });

  it('emits the header with its checksum and returns the payload offset, touching nothing else', () => {
    for (const [vector, headerLength] of [[ECHO, 20], [WITH_OPTIONS, 24]] as const) {
      const out = new Uint8Array(vector.length + 10).fill(0xa5);
      const payloadAt = emitIpv4(ipv4ReprOf(Ipv4Packet.parse(vector)), out, 3);
      expect(payloadAt).to.equal(3 + headerLength);
      expect(toHex(out.subarray(3, payloadAt))).to.equal(toHex(vector.subarray(0, headerLength)));
      expect([...out.subarray(0, 3), ...out.subarray(payloadAt)].every((b) => b === 0xa5)).to.equal(true);
    }
  });

  it('re-emits the fragment vector, flags, offset and ECN included', () => {
    const out = new Uint8Array(20).fill(0xa5);
    expect(emitIpv4(ipv4ReprOf(Ipv4Packet.parse(FRAGMENT, { verifyChecksum: true })), out)).to.equal(20);
    expect(toHex(out)).to.equal(toHex(FRAGMENT.subarray(0, 20)));
  });

  it('pads options to a multiple of 4 with zeros (End of Option List)', () => {
    const out = new Uint8Array(40).fill(0xa5);
    const r: Ipv4Repr = { src: 1, dst: 2, protocol: 17, ttl: 64, identification: 0, payloadLength: 0, options: fromHex('07 03 04') };
    expect(emitIpv4(r, out, 0)).to.equal(24);
    expect(out[0]).to.equal(0x46);
    expect(toHex(out.subarray(20, 24))).to.equal('07 03 04 00');
    expect(Ipv4Packet.parse(out.subarray(0, 24), { verifyChecksum: true }).options.length).to.equal(4);
  });

  it('ignores Ethernet padding after Total Length', () => {
    // A NIC pads frames to 60 bytes; here 20 bytes of padding follow the 84-byte packet.
    const padded = new Uint8Array(ECHO.length + 20).fill(0xee);
    padded.set(ECHO);
    const p = Ipv4Packet.parse(padded, { verifyChecksum: true });
    expect(p.payload.length).to.equal(64);
    expect(p.packet.length).to.equal(84);
  });

  it('refuses truncated headers and length fields that lie', () => {
    const withByte = (i: number, v: number): Uint8Array => { const b = Uint8Array.from(ECHO); b[i] = v; return b; };
    expect(() => Ipv4Packet.parse(ECHO.subarray(0, 19))).to.throw(WireError, 'ipv4: truncated');
    expect(() => Ipv4Packet.parse(withByte(0, 0x65))).to.throw(WireError, 'not version 4');
    expect(() => Ipv4Packet.parse(withByte(0, 0x44))).to.throw(WireError, 'header length below 20');
    expect(() => Ipv4Packet.parse(WITH_OPTIONS.subarray(0, 22))).to.throw(WireError, 'ipv4: truncated');
    expect(() => Ipv4Packet.parse(withByte(3, 19))).to.throw(WireError, 'total length below header length');
    expect(() => Ipv4Packet.parse(withByte(3, 85))).to.throw(WireError, 'length field exceeds buffer');
    expect(() => Ipv4Packet.parse(ECHO.subarray(0, 83))).to.throw(WireError, 'length field exceeds buffer');
  });

  it('checks the header checksum only when asked', () => {
    const bad = Uint8Array.from(ECHO);
    bad[11] = 0x25; // checksum 0x2924 → 0x2925
    expect(() => Ipv4Packet.parse(bad, { verifyChecksum: true })).to.throw(WireError, 'ipv4: bad checksum');
    expect(Ipv4Packet.parse(bad).checksumValid).to.equal(false);
    // The checksum covers only the header: a changed payload still verifies.
    const payloadChanged = Uint8Array.from(ECHO);
    payloadChanged[30] = 0xff; // an ICMP data byte
    expect(Ipv4Packet.parse(payloadChanged, { verifyChecksum: true }).checksumValid).to.equal(true);
  });

  it('refuses to emit what the header cannot hold', () => {
    const base: Ipv4Repr = { src: 1, dst: 2, protocol: 17, ttl: 64, identification: 0, payloadLength: 0 };
    const out = new Uint8Array(100);
    expect(() => emitIpv4({ ...base, options: new Uint8Array(41) }, out)).to.throw(WireError, 'options too long');
    expect(() => emitIpv4({ ...base, payloadLength: 65516 }, out)).to.throw(WireError, 'total length');
    expect(() => emitIpv4({ ...base, fragmentOffset: 12 }, out)).to.throw(WireError, 'fragment offset');
    expect(() => emitIpv4(base, new Uint8Array(19))).to.throw(WireError, 'buffer too small');
  });

  it('decrements the TTL like the router in routed-rb/ra.pcap did', () => {
    // The echo request as it arrived on the router (TTL 63, checksum 0x435d) and as it left (62, 0x445d).
    const arrived = fromHex('45 00 00 54 e4 47 40 00 3f 01 43 5d 0a 00 00 02 0a 01 00 02');
    const frame = new Uint8Array([0xaa, 0xbb, ...arrived]);
    expect(decrementTtlInPlace(frame, 2)).to.equal(62);
    expect(toHex(frame.subarray(2))).to.equal('45 00 00 54 e4 47 40 00 3e 01 44 5d 0a 00 00 02 0a 01 00 02');
    expect(toHex(frame.subarray(0, 2))).to.equal('aa bb');
    expect(() => decrementTtlInPlace(new Uint8Array(20).fill(0x00), 0)).to.throw(RangeError);
  });

  it('property: the incremental TTL decrement equals re-emitting with TTL − 1', () => {
    fc.assert(fc.property(arbitraryRepr.filter((r) => r.ttl > 0), (r) => {
      const packet = packetOf(r);
      decrementTtlInPlace(packet, 0);
      const expected = packetOf({ ...r, ttl: r.ttl - 1 });
      expect(toHex(packet)).to.equal(toHex(expected));
    }), { numRuns: 300 });
  });

  it('property: parse(emit(r)) equals r', () => {
    fc.assert(fc.property(arbitraryRepr, (r) => {
      const p = Ipv4Packet.parse(packetOf(r), { verifyChecksum: true });
      expect(ipv4ReprOf(p)).to.deep.equal(r);
      expect(p.headerLength).to.equal(IPV4_HEADER_LEN + (r.options?.length ?? 0));
    }), { numRuns: 300 });
  });

  it('property: random bytes throw nothing but WireError', () => {
    const start = fc.constantFrom(new Uint8Array(0), fromHex('45'), fromHex('46 00 00'), fromHex('4f'));
    fc.assert(fc.property(start, fc.uint8Array({ maxLength: 80 }), fc.boolean(), (prefix, rest, verify) => {
      const bytes = new Uint8Array([...prefix, ...rest]);
      try {
        const p = Ipv4Packet.parse(bytes, { verifyChecksum: verify });
        ipv4ReprOf(p);
        expect(p.payload.length).to.equal(p.totalLength - p.headerLength);
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
