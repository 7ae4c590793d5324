// Ethernet II with an optional IEEE 802.1Q tag.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  ETHERNET_HEADER_LEN, EtherType, EthernetFrame, VLAN_TAG_LEN, WireError, buildEthernetFrame, emitEthernet,
  ethernetReprOf, frameDst, frameEtherType, frameSrc, fromHex, parseMac, toHex,
} from '../src/wire';
import type { EthernetRepr } from '../src/wire';

/** The ARP request of bridge-br0.pcap: broadcast from container 1. */
const UNTAGGED = fromHex([
  'ff ff ff ff ff ff', // destination: broadcast
  '02 42 0a 00 00 02', // source 02:42:0a:00:00:02
  '08 06', //             EtherType ARP
  '00 01 08 00 06 04 00 01', // (start of the ARP payload)
].join(''));

/** The same frame on VLAN 10 with priority 5 and DEI set (written by hand). */
const TAGGED = fromHex([
  'ff ff ff ff ff ff', // destination
  '02 42 0a 00 00 02', // source
  '81 00', //             TPID 0x8100
  'b0 0a', //             TCI: PCP 5 (101), DEI 1, VID 10 (0000 0000 1010)
  '08 06', //             inner EtherType ARP
  '00 01 08 00 06 04 00 01', // payload
].join(''));

const arbitraryRepr: fc.Arbitrary<EthernetRepr> = fc.record({
  dst: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  src: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  etherType: fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== EtherType.VLAN),
}).chain((base) => fc.option(fc.record({ vid: fc.integer({ min: 0, max: 4095 }), pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean() }), { nil: undefined })
  .map((vlan): EthernetRepr => (vlan ? { ...base, vlan } : base)));

describe('wire/ethernet', () => {
  it('reads an untagged frame', () => {
    const f = EthernetFrame.parse(UNTAGGED);
    expect(f.dst).to.equal(parseMac('ff:ff:ff:ff:ff:ff'));
    expect(f.src).to.equal(parseMac('02:42:0a:00:00:02'));
    expect(f.etherType).to.equal(EtherType.ARP);
    expect(f.tagged).to.equal(false);
    expect([f.vid, f.pcp, f.dei]).to.deep.equal([undefined, undefined, undefined]);
    expect(f.headerLength).to.equal(ETHERNET_HEADER_LEN);
    expect(toHex(f.payload)).to.equal('00 01 08 00 06 04 00 01');
    expect([frameDst(UNTAGGED), frameSrc(UNTAGGED), frameEtherType(UNTAGGED)]).to.deep.equal([f.dst, f.src, 0x0806]);
  });

  it('reads an 802.1Q tag: PCP, DEI, VID and the inner EtherType', () => {
    const f = EthernetFrame.parse(TAGGED);
    expect([f.tagged, f.vid, f.pcp, f.dei]).to.deep.equal([true, 10, 5, true]);
    expect(f.etherType).to.equal(EtherType.ARP);
    expect(f.headerLength).to.equal(ETHERNET_HEADER_LEN + VLAN_TAG_LEN);
    expect(ethernetReprOf(f)).to.deep.equal({ dst: f.dst, src: f.src, etherType: 0x0806, vlan: { vid: 10, pcp: 5, dei: true } });
  });

  it('emits headers, returning the payload offset, touching nothing else', () => {
    for (const vector of [UNTAGGED, TAGGED]) {
      const f = EthernetFrame.parse(vector);
      const out = new Uint8Array(30).fill(0xa5);
      const at = emitEthernet(ethernetReprOf(f), out, 1);
      expect(at).to.equal(1 + f.headerLength);
      expect(toHex(out.subarray(1, at))).to.equal(toHex(vector.subarray(0, f.headerLength)));
      expect([out[0], ...out.subarray(at)].every((b) => b === 0xa5)).to.equal(true);
      expect(toHex(buildEthernetFrame(ethernetReprOf(f), f.payload))).to.equal(toHex(vector));
    }
  });

  it('refuses truncated headers and tags', () => {
    expect(() => EthernetFrame.parse(UNTAGGED.subarray(0, 13))).to.throw(WireError, 'ethernet: truncated');
    expect(() => EthernetFrame.parse(TAGGED.subarray(0, 17))).to.throw(WireError, 'truncated 802.1Q tag');
    expect(() => emitEthernet({ dst: 1, src: 2, etherType: 0x800, vlan: { vid: 1 } }, new Uint8Array(17))).to.throw(WireError, 'buffer too small');
  });

  it('property: parse(emit(r)) equals r', () => {
    fc.assert(fc.property(arbitraryRepr, (r) => {
      expect(ethernetReprOf(EthernetFrame.parse(buildEthernetFrame(r, new Uint8Array(0))))).to.deep.equal(r);
    }), { numRuns: 300 });
  });

  it('property: random bytes throw nothing but WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), fc.boolean(), (b, tag) => {
      if (tag && b.length >= 14) { b[12] = 0x81; b[13] = 0x00; }
      try {
        const f = EthernetFrame.parse(b);
        expect(f.payload.length).to.equal(b.length - f.headerLength);
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
