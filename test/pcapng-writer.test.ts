import { expect } from 'chai';
import fc from 'fast-check';
import { MemorySink, PcapngWriter, readCapture } from '../src/pcap';
import type { ByteSink } from '../src/pcap';
import { fromHex, toHex } from '../src/wire';

/** 2020-04-26T19:37:50Z, the example `start:` of SCENARIOS.md, in nanoseconds. */
const START_NS = 1_587_929_870n * 1_000_000_000n;

describe('PcapngWriter', () => {
  it('writes SHB, IDB and EPB with a comment byte for byte', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink, { startNs: START_NS });
    expect(w.addInterface('lan1')).to.equal(0);
    w.writePacket(0, 1_500_000_250, fromHex('de ad be ef 01'), 'hi');
    w.flush();
    const shb = [
      '0a 0d 0d 0a', // block type: Section Header Block
      '2c 00 00 00', // block total length 44
      '4d 3c 2b 1a', // byte-order magic 0x1a2b3c4d, little-endian
      '01 00 00 00', // major version 1, minor version 0
      'ff ff ff ff ff ff ff ff', // section length -1: not specified
      '04 00 06 00', // option shb_userappl (4), length 6
      '63 6e 6d 6c 61 62 00 00', // "cnmlab", padded to 32 bits
      '00 00 00 00', // opt_endofopt
      '2c 00 00 00', // block total length again
    ];
    const idb = [
      '01 00 00 00', // block type: Interface Description Block
      '28 00 00 00', // block total length 40
      '01 00', // LinkType 1: Ethernet
      '00 00', // reserved
      '00 00 04 00', // SnapLen 262144
      '02 00 04 00', // option if_name (2), length 4
      '6c 61 6e 31', // "lan1"
      '09 00 01 00', // option if_tsresol (9), length 1
      '09 00 00 00', // 9: 10^-9 s units, padded to 32 bits
      '00 00 00 00', // opt_endofopt
      '28 00 00 00', // block total length again
    ];
    const epb = [
      '06 00 00 00', // block type: Enhanced Packet Block
      '34 00 00 00', // block total length 52
      '00 00 00 00', // interface id 0
      'ce 75 09 16', // timestamp upper 32 bits of 1587929871500000250 ns (0x160975ce0efd3bfa)
      'fa 3b fd 0e', // timestamp lower 32 bits
      '05 00 00 00', // captured packet length 5
      '05 00 00 00', // original packet length 5
      'de ad be ef 01 00 00 00', // packet data, padded to 32 bits
      '01 00 02 00', // option opt_comment (1), length 2
      '68 69 00 00', // "hi", padded to 32 bits
      '00 00 00 00', // opt_endofopt
      '34 00 00 00', // block total length again
    ];
    expect(toHex(sink.bytes())).to.equal(toHex(fromHex([...shb, ...idb, ...epb].join(' '))));
    expect(w.packets).to.equal(1);
    expect(w.bytes).to.equal(44 + 40 + 52);
  });

  it('writes an EPB without options when there is no comment', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface('x');
    w.writePacket(0, 0, fromHex('aa bb'));
    w.flush();
    const bytes = sink.bytes();
    const epb = bytes.subarray(bytes.length - 36);
    expect(toHex(epb)).to.equal(
      toHex(
        fromHex(
          [
            '06 00 00 00', // EPB
            '24 00 00 00', // total length 36
            '00 00 00 00', // interface 0
            '00 00 00 00 00 00 00 00', // t = 0 at the epoch
            '02 00 00 00 02 00 00 00', // captured 2, original 2
            'aa bb 00 00', // data padded
            '24 00 00 00', // total length again
          ].join(' '),
        ),
      ),
    );
  });

  it('names interfaces, numbers them from 0, and accepts interfaces declared after packets', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink, { application: 'test-app' });
    const a = w.addInterface('node1:eth0');
    w.writePacket(a, 10, fromHex('01'), 'first');
    const b = w.addInterface('docker-host:veth1a2b3c4', { snaplen: 2 });
    w.writePacket(b, 20, fromHex('02 03 04'), 'vxlan0: encapsulated to 192.168.2.10 VNI 4097');
    w.writePacket(a, 30, fromHex('05'));
    w.flush();
    const cap = readCapture(sink.bytes());
    expect(cap.format).to.equal('pcapng');
    expect(cap.interfaces).to.deep.equal([
      { name: 'node1:eth0', linkType: 1, tsresol: 9 },
      { name: 'docker-host:veth1a2b3c4', linkType: 1, tsresol: 9 },
    ]);
    expect(cap.packets.map((p) => [p.interfaceId, p.timestampNs, toHex(p.data), p.originalLength, p.comment])).to.deep.equal([
      [0, 10n, '01', 1, 'first'],
      [1, 20n, '02 03', 3, 'vxlan0: encapsulated to 192.168.2.10 VNI 4097'],
      [0, 30n, '05', 1, undefined],
    ]);
    expect(new TextDecoder().decode(sink.bytes().subarray(28, 36))).to.equal('test-app');
  });

  it('refuses packets for undeclared interfaces and negative times', () => {
    const w = new PcapngWriter(new MemorySink());
    expect(() => w.writePacket(0, 0, fromHex('00'))).to.throw(RangeError);
    const id = w.addInterface('x');
    expect(() => w.writePacket(id + 1, 0, fromHex('00'))).to.throw(RangeError);
    expect(() => w.writePacket(id, -5, fromHex('00'))).to.throw(RangeError);
  });

  it('hands bytes to the sink in large chunks', () => {
    const chunks: number[] = [];
    let flushes = 0;
    const sink: ByteSink = { write: (c) => void chunks.push(c.length), flush: () => void flushes++ };
    const w = new PcapngWriter(sink, { bufferBytes: 4096 });
    const id = w.addInterface('x');
    for (let i = 0; i < 200; i++) w.writePacket(id, i, new Uint8Array(98), 'a comment');
    expect(chunks.length).to.be.within(6, 8); // 200 × 152-byte EPBs ≈ 30 KB in 4 KiB chunks
    for (const n of chunks) expect(n).to.be.within(4096 - 152, 4096);
    expect(flushes).to.equal(0);
    w.flush();
    expect(flushes).to.equal(1);
  });

  it('property: random frames, times and comments round-trip through the reader', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 62n }),
        fc.array(
          fc.record({
            iface: fc.nat({ max: 2 }),
            t: fc.integer({ min: 0, max: 2 ** 52 }),
            frame: fc.uint8Array({ maxLength: 150 }),
            comment: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: undefined }),
          }),
          { maxLength: 25 },
        ),
        fc.integer({ min: 64, max: 700 }),
        (startNs, packets, bufferBytes) => {
          const sink = new MemorySink(16);
          const w = new PcapngWriter(sink, { startNs, bufferBytes });
          for (const name of ['a', 'bé', 'c:veth0']) w.addInterface(name);
          for (const p of packets) w.writePacket(p.iface, p.t, p.frame, p.comment);
          w.flush();
          const cap = readCapture(sink.bytes());
          expect(cap.interfaces.map((i) => i.name)).to.deep.equal(['a', 'bé', 'c:veth0']);
          expect(cap.packets.map((p) => [p.interfaceId, p.timestampNs, toHex(p.data), p.comment])).to.deep.equal(
            packets.map((p) => [p.iface, startNs + BigInt(p.t), toHex(p.frame), p.comment]),
          );
          expect(w.bytes).to.equal(sink.bytes().length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
