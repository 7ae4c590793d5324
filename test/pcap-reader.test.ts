import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CaptureFormatError, readCapture } from '../src/pcap';
import { fromHex, toHex } from '../src/wire';

const KERNEL_FIXTURES = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'kernel');

function hasTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('readCapture', () => {
  describe('the kernel fixtures (../shared/fixtures/kernel)', () => {
    // Packet counts checked with `tshark -r FILE | wc -l` (TShark 4.0.17).
    const expected: Record<string, { count: number; lengths: number[] }> = {
      'bridge-br0.pcap': { count: 10, lengths: [42, 42, 98, 98, 98, 98, 98, 98, 42, 42] },
      'bridge-c1-eth0.pcap': { count: 10, lengths: [42, 42, 98, 98, 98, 98, 98, 98, 42, 42] },
      'overlay-n1-underlay.pcap': { count: 8, lengths: [42, 42, 148, 148, 148, 148, 148, 148] },
      'overlay-o1-eth0.pcap': { count: 8, lengths: [42, 42, 98, 98, 98, 98, 98, 98] },
      'routed-ra.pcap': { count: 8, lengths: [42, 42, 98, 98, 98, 98, 60, 88] },
      'routed-rb.pcap': { count: 10, lengths: [42, 42, 98, 98, 98, 98, 60, 88, 60, 88] },
    };

    it('finds every fixture listed here', () => {
      const files = readdirSync(KERNEL_FIXTURES).filter((f) => f.endsWith('.pcap')).sort();
      expect(files).to.deep.equal(Object.keys(expected).sort());
    });

    for (const [file, want] of Object.entries(expected)) {
      it(`reads ${file}: ${want.count} Ethernet frames with increasing microsecond timestamps`, () => {
        const cap = readCapture(readFileSync(join(KERNEL_FIXTURES, file)));
        expect(cap.format).to.equal('pcap');
        expect(cap.linkType).to.equal(1);
        expect(cap.interfaces).to.deep.equal([{ linkType: 1, tsresol: 6 }]);
        expect(cap.packets).to.have.length(want.count);
        expect(cap.packets.map((p) => p.data.length)).to.deep.equal(want.lengths);
        for (const p of cap.packets) {
          expect(p.originalLength).to.equal(p.data.length);
          expect(p.timestampNs % 1000n).to.equal(0n); // microsecond file
        }
        for (let i = 1; i < cap.packets.length; i++) {
          expect(cap.packets[i]!.timestampNs >= cap.packets[i - 1]!.timestampNs).to.equal(true);
        }
        // Every capture starts with ARP who-has sent to broadcast from a container or host.
        expect(toHex(cap.packets[0]!.data.subarray(0, 6))).to.equal('ff ff ff ff ff ff');
        expect(toHex(cap.packets[0]!.data.subarray(12, 14))).to.equal('08 06');
      });
    }

    it('agrees with tshark on every timestamp and length (when tshark is installed)', function () {
      if (!hasTshark()) this.skip();
      this.timeout(30_000);
      for (const file of Object.keys(expected)) {
        const path = join(KERNEL_FIXTURES, file);
        const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        const theirs = out.trim().split('\n').map((line) => {
          const [epoch, len] = line.split('\t');
          const [s, frac = ''] = epoch!.split('.');
          return [BigInt(s!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9)), Number(len)];
        });
        const ours = readCapture(readFileSync(path)).packets.map((p) => [p.timestampNs, p.originalLength]);
        expect(ours, file).to.deep.equal(theirs);
      }
    });
  });

  describe('classic pcap variants', () => {
    const record = '00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 05 aa bb cc'; // big-endian record

    it('reads big-endian microsecond files', () => {
      const bytes = fromHex(
        [
          'a1 b2 c3 d4', // magic, big-endian, microseconds
          '00 02 00 04', // version 2.4
          '00 00 00 00 00 00 00 00', // reserved
          '00 00 ff ff', // snaplen 65535
          '00 00 00 01', // LINKTYPE_ETHERNET
          record, // ts 1 s + 2 µs, captured 3 of 5 bytes
        ].join(' '),
      );
      const cap = readCapture(bytes);
      expect(cap.interfaces).to.deep.equal([{ linkType: 1, tsresol: 6 }]);
      expect(cap.packets).to.deep.equal([{ timestampNs: 1_000_002_000n, data: fromHex('aa bb cc'), interfaceId: 0, originalLength: 5 }]);
    });

    it('reads big-endian nanosecond files and masks the FCS bits off the link type', () => {
      const bytes = fromHex(['a1 b2 3c 4d', '00 02 00 04', '00 00 00 00 00 00 00 00', '00 04 00 00', '10 00 00 01', record].join(' '));
      const cap = readCapture(bytes);
      expect(cap.linkType).to.equal(1);
      expect(cap.interfaces[0]!.tsresol).to.equal(9);
      expect(cap.packets[0]!.timestampNs).to.equal(1_000_000_002n);
    });

    it('reads little-endian microsecond files', () => {
      const bytes = fromHex(['d4 c3 b2 a1', '02 00 04 00', '00 00 00 00 00 00 00 00', 'ff ff 00 00', '01 00 00 00', '01 00 00 00 02 00 00 00 01 00 00 00 01 00 00 00 ee'].join(' '));
      expect(readCapture(bytes).packets[0]).to.deep.include({ timestampNs: 1_000_002_000n, originalLength: 1 });
    });

    it('throws CaptureFormatError on bytes that are not a capture or whose lengths lie', () => {
      expect(() => readCapture(fromHex('00 01'))).to.throw(CaptureFormatError);
      expect(() => readCapture(new Uint8Array(24))).to.throw(CaptureFormatError, /not a pcap/);
      const header = 'd4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 01 00 00 00';
      expect(() => readCapture(fromHex(header.slice(0, 30)))).to.throw(CaptureFormatError, /truncated/);
      // A record claims 16 captured bytes but only 1 follows.
      expect(() => readCapture(fromHex(`${header} 00 00 00 00 00 00 00 00 10 00 00 00 10 00 00 00 ee`))).to.throw(CaptureFormatError, /longer than the file/);
      expect(() => readCapture(fromHex(`${header} 00 00 00`))).to.throw(CaptureFormatError, /truncated record/);
    });
  });

  describe('pcapng variants', () => {
    // A big-endian section: SHB, IDB (snaplen 4, microseconds by default), an unknown block,
    // a Simple Packet Block and an old-style Packet Block.
    const bigEndianSection = [
      '0a 0d 0d 0a 00 00 00 1c', // SHB, total length 28
      '1a 2b 3c 4d 00 01 00 00', // byte-order magic (big-endian), version 1.0
      'ff ff ff ff ff ff ff ff', // section length unknown
      '00 00 00 1c', // total length again
      '00 00 00 01 00 00 00 20', // IDB, total length 32
      '00 01 00 00 00 00 00 04', // LinkType 1, reserved, SnapLen 4
      '00 02 00 03 65 74 68 00', // if_name "eth"
      '00 00 00 00', // opt_endofopt
      '00 00 00 20', // total length again
      '00 00 0b ad 00 00 00 10 de ad be ef 00 00 00 10', // unknown block type 0xbad: skipped
      '00 00 00 03 00 00 00 18', // SPB, total length 24
      '00 00 00 06', // original length 6 (cut to the snaplen 4)
      '01 02 03 04 05 06 00 00', // data as stored (the reader keeps snaplen bytes)
      '00 00 00 18', // total length again
      '00 00 00 02 00 00 00 24', // Packet Block (obsolete), total length 36
      '00 00 00 00', // interface 0, drops 0
      '00 00 00 00 00 00 00 07', // timestamp 7 µs
      '00 00 00 02 00 00 00 02', // captured 2, original 2
      'aa bb 00 00', // data
      '00 00 00 24', // total length again
    ].join(' ');

    it('reads a big-endian section with SPB and old Packet Blocks, skipping unknown blocks', () => {
      const cap = readCapture(fromHex(bigEndianSection));
      expect(cap.format).to.equal('pcapng');
      expect(cap.interfaces).to.deep.equal([{ name: 'eth', linkType: 1, tsresol: 6 }]);
      expect(cap.packets).to.deep.equal([
        { timestampNs: 0n, data: fromHex('01 02 03 04'), interfaceId: 0, originalLength: 6 },
        { timestampNs: 7000n, data: fromHex('aa bb'), interfaceId: 0, originalLength: 2 },
      ]);
    });

    it('numbers interfaces across sections and honours power-of-two resolutions and if_tsoffset', () => {
      const littleSection = [
        '0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00', // SHB
        '01 00 00 00 28 00 00 00', // IDB, total length 40
        '01 00 00 00 00 00 00 00', // Ethernet, snaplen 0 (no limit)
        '09 00 01 00 81 00 00 00', // if_tsresol 0x81: units of 2^-1 s
        '0e 00 08 00 0a 00 00 00 00 00 00 00', // if_tsoffset: +10 s
        '28 00 00 00',
        '06 00 00 00 2c 00 00 00', // EPB, total length 44
        '00 00 00 00', // interface 0 of this section
        '00 00 00 00 03 00 00 00', // 3 units = 1.5 s
        '01 00 00 00 01 00 00 00 ff 00 00 00', // 1 byte
        '01 00 01 00 41 00 00 00', // opt_comment "A" (no opt_endofopt: the block ends)
        '2c 00 00 00',
      ].join(' ');
      const cap = readCapture(fromHex(`${bigEndianSection} ${littleSection}`));
      expect(cap.interfaces.map((i) => [i.name, i.tsresol])).to.deep.equal([
        ['eth', 6],
        [undefined, 0x81],
      ]);
      expect(cap.packets[2]).to.deep.equal({ timestampNs: 11_500_000_000n, data: fromHex('ff'), interfaceId: 1, originalLength: 1, comment: 'A' });
    });

    it('throws CaptureFormatError on lying block lengths and undeclared interfaces', () => {
      const shb = '0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00';
      expect(() => readCapture(fromHex(shb.replace(/1c 00 00 00$/, '1d 00 00 00')))).to.throw(CaptureFormatError, /trailing/);
      expect(() => readCapture(fromHex(shb.replace('4d 3c 2b 1a', '00 00 00 00')))).to.throw(CaptureFormatError, /byte-order/);
      expect(() => readCapture(fromHex(`${shb} 06 00 00 00 00 01 00 00`))).to.throw(CaptureFormatError);
      const epbNoIdb = '06 00 00 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00';
      expect(() => readCapture(fromHex(`${shb} ${epbNoIdb}`))).to.throw(CaptureFormatError, /undeclared interface/);
    });
  });
});
