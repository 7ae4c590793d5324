// The Internet checksum (RFC 1071), the pseudo-header sum and RFC 1624's incremental update.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  finishChecksum, fromHex, internetChecksum, pseudoHeaderSum, readU16, sumWords, updateChecksum16, writeU16,
} from '../src/wire';

describe('wire/checksum', () => {
  it('reproduces the worked example of RFC 1071 §3', () => {
    // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 2ddf0, which folds to ddf2;
    // the checksum is its complement, 220d.
    const bytes = fromHex('00 01 f2 03 f4 f5 f6 f7');
    expect(sumWords(bytes, 0, bytes.length)).to.equal(0x2ddf0);
    expect(internetChecksum(bytes)).to.equal(0x220d);
    // Byte order independence (RFC 1071 §2(B)): the swapped sum is the swapped result.
    const swapped = fromHex('01 00 03 f2 f5 f4 f7 f6');
    expect(internetChecksum(swapped)).to.equal(0x0d22);
  });

  it('pads an odd trailing byte with zero', () => {
    expect(internetChecksum(fromHex('01 02 03'))).to.equal(internetChecksum(fromHex('01 02 03 00')));
    expect(internetChecksum(fromHex('ab'))).to.equal(~0xab00 & 0xffff);
  });

  it('verifies to 0 over a real header that includes its checksum', () => {
    // An IPv4 header the Linux kernel sent (bridge-br0.pcap, echo request 10.0.0.2 → 10.0.0.3).
    const header = fromHex('45 00 00 54 fd 80 40 00 40 01 29 24 0a 00 00 02 0a 00 00 03');
    expect(internetChecksum(header)).to.equal(0);
    writeU16(header, 10, 0);
    expect(internetChecksum(header)).to.equal(0x2924);
  });

  it('sums only the requested range', () => {
    const bytes = fromHex('ff ff 00 01 f2 03 ff');
    expect(internetChecksum(bytes, 2, 6)).to.equal(internetChecksum(fromHex('00 01 f2 03')));
  });

  it('adds the pseudo-header as src, dst, protocol and length words', () => {
    // 10.0.0.2 → 127.0.0.11, UDP (17), 28 bytes: 0a00 + 0002 + 7f00 + 000b + 0011 + 001c.
    expect(pseudoHeaderSum(0x0a000002, 0x7f00000b, 17, 28)).to.equal(0x0a00 + 0x0002 + 0x7f00 + 0x000b + 17 + 28);
    // finishChecksum folds any number of carries.
    // 0x3fffd → fffd + 3 = 0x10000 → 0x0001 → complement 0xfffe.
    expect(finishChecksum(0x3_fffd)).to.equal(0xfffe);
    expect(finishChecksum(0x1_ffff)).to.equal(0xfffe);
    expect(finishChecksum(0)).to.equal(0xffff);
  });

  it('RFC 1624: updating the TTL word gives the checksum a full recomputation gives', () => {
    // bridge-br0.pcap's echo request, TTL 64 → 63: the word 0x4001 becomes 0x3f01.
    const header = fromHex('45 00 00 54 fd 80 40 00 40 01 29 24 0a 00 00 02 0a 00 00 03');
    const updated = updateChecksum16(0x2924, 0x4001, 0x3f01);
    header[8] = 0x3f;
    writeU16(header, 10, 0);
    expect(updated).to.equal(internetChecksum(header));
  });

  it('RFC 1624 eqn. 3 equals a full recomputation for any header and any one-word change', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 20, maxLength: 60 }).map((b) => b.subarray(0, b.length & ~1)),
      fc.nat(),
      fc.integer({ min: 0, max: 0xffff }),
      (raw, pick, newWord) => {
        const header = Uint8Array.from(raw);
        header[0] = 0x45; // never all-zero data: the one case where ±0 differ (RFC 1624 §3)
        writeU16(header, 10, 0);
        writeU16(header, 10, internetChecksum(header));
        // Any 16-bit word except the version word and the checksum itself.
        const words = header.length / 2;
        let index = 1 + (pick % (words - 1));
        if (index === 5) index = words > 6 ? 6 : 4;
        const oldWord = readU16(header, 2 * index);
        const incremental = updateChecksum16(readU16(header, 10), oldWord, newWord);
        writeU16(header, 2 * index, newWord);
        writeU16(header, 10, 0);
        expect(incremental).to.equal(internetChecksum(header));
      },
    ), { numRuns: 300 });
  });
});
