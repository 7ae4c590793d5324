// VXLAN (RFC 7348): the header the kernel put around the overlay ping of overlay-n1-underlay.pcap.
import { expect } from 'chai';
import fc from 'fast-check';
import { VXLAN_HEADER_LEN, VXLAN_PORT, VxlanHeader, WireError, emitVxlan, fromHex, toHex, vxlanReprOf } from '../src/wire';

/** The VXLAN header of the fixture's first echo request, and the inner frame's Ethernet header. */
const VECTOR = fromHex([
  '08', //          flags: I (VNI valid)
  '00 00 00', //    reserved
  '00 10 01', //    VNI 0x001001 = 4097
  '00', //          reserved
  '02 42 0a 00 01 03 02 42 0a 00 01 02 08 00', // inner Ethernet header (02:42:0a:00:01:02 → …:03, IPv4)
].join(''));

describe('wire/vxlan', () => {
  it('uses the IANA port', () => {
    expect(VXLAN_PORT).to.equal(4789);
  });

  it('reads the flags, the VNI and the inner frame', () => {
    const h = VxlanHeader.parse(VECTOR);
    expect(h.flags).to.equal(0x08);
    expect(h.vniValid).to.equal(true);
    expect(h.vni).to.equal(4097);
    expect(toHex(h.payload)).to.equal(toHex(VECTOR.subarray(8)));
    expect(vxlanReprOf(h)).to.deep.equal({ vni: 4097 });
  });

  it('reports a clear I flag without throwing, and ignores reserved bits', () => {
    const b = Uint8Array.from(VECTOR);
    b[0] = 0x00;
    b[7] = 0xff; // reserved: ignored on receipt (RFC 7348 §5)
    const h = VxlanHeader.parse(b);
    expect(h.vniValid).to.equal(false);
    expect(h.vni).to.equal(4097);
  });

  it('emits the 8 bytes with reserved fields zero, returning the inner frame offset', () => {
    const out = new Uint8Array(20).fill(0xa5);
    expect(emitVxlan({ vni: 4097 }, out, 2)).to.equal(2 + VXLAN_HEADER_LEN);
    expect(toHex(out.subarray(2, 10))).to.equal(toHex(VECTOR.subarray(0, 8)));
    expect([...out.subarray(0, 2), ...out.subarray(10)].every((b) => b === 0xa5)).to.equal(true);
    emitVxlan({ vni: 0xffffff }, out, 0);
    expect(toHex(out.subarray(0, 8))).to.equal('08 00 00 00 ff ff ff 00');
  });

  it('refuses truncated headers, VNIs beyond 24 bits and small buffers', () => {
    expect(() => VxlanHeader.parse(VECTOR.subarray(0, 7))).to.throw(WireError, 'vxlan: truncated');
    expect(VxlanHeader.parse(VECTOR.subarray(0, 8)).payload.length).to.equal(0);
    expect(() => emitVxlan({ vni: 0x1000000 }, new Uint8Array(8))).to.throw(WireError, 'VNI out of range');
    expect(() => emitVxlan({ vni: 1 }, new Uint8Array(8), 1)).to.throw(WireError, 'buffer too small');
  });

  it('property: parse(emit(r)) equals r', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffff }), (vni) => {
      const out = new Uint8Array(VXLAN_HEADER_LEN);
      emitVxlan({ vni }, out);
      const h = VxlanHeader.parse(out);
      expect(vxlanReprOf(h)).to.deep.equal({ vni });
      expect(h.vniValid).to.equal(true);
    }), { numRuns: 300 });
  });

  it('property: random bytes throw nothing but WireError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
      try {
        const h = VxlanHeader.parse(b);
        expect(h.vni).to.be.within(0, 0xffffff);
      } catch (e) {
        expect(e).to.be.instanceOf(WireError);
      }
    }), { numRuns: 300 });
  });
});
