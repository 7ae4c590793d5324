import { expect } from 'chai';
import fc from 'fast-check';
import { MemorySink, PcapWriter, readCapture } from '../src/pcap';
import type { ByteSink } from '../src/pcap';
import { fromHex, toHex } from '../src/wire';

/** 2020-04-26T19:37:50Z, the example `start:` of SCENARIOS.md, in nanoseconds. */
const START_NS = 1_587_929_870n * 1_000_000_000n;

/** A sink that records every chunk it is handed and every flush. */
class CountingSink implements ByteSink {
  chunks: Uint8Array[] = [];
  flushes = 0;
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk);
  }
  flush(): void {
    this.flushes++;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

describe('PcapWriter', () => {
  it('writes the file header and a record header byte for byte', () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { startNs: START_NS });
    w.writePacket(1_500_000_250, fromHex('de ad be ef 01'));
    w.flush();
    const expected = fromHex(
      [
        '4d 3c b2 a1', // magic 0xa1b23c4d little-endian: nanosecond timestamps
        '02 00', // version major 2
        '04 00', // version minor 4
        '00 00 00 00', // thiszone (reserved1): UTC
        '00 00 00 00', // sigfigs (reserved2): 0
        '00 00 04 00', // snaplen 262144
        '01 00 00 00', // LINKTYPE_ETHERNET, no FCS bits
        // record
        '0f e3 a5 5e', // ts seconds: 1587929870 + 1 = 1587929871
        'fa 65 cd 1d', // ts nanoseconds: 500000250
        '05 00 00 00', // captured length 5
        '05 00 00 00', // original length 5
        'de ad be ef 01', // the frame, no padding
      ].join(' '),
    );
    expect(toHex(sink.bytes())).to.equal(toHex(expected));
    expect(w.packets).to.equal(1);
    expect(w.bytes).to.equal(expected.length);
  });

  it('accepts t = 0 and the epoch start (the defaults)', () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink);
    w.writePacket(0, fromHex('01 02'));
    w.flush();
    // Record header right after the 24-byte file header: all-zero timestamp.
    expect(toHex(sink.bytes().subarray(24, 32))).to.equal('00 00 00 00 00 00 00 00');
    const cap = readCapture(sink.bytes());
    expect(cap.packets[0]!.timestampNs).to.equal(0n);
  });

  it('carries sub-second start times into the seconds field', () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { startNs: 10n * 1_000_000_000n + 999_999_999n });
    w.writePacket(1, fromHex('aa'));
    w.writePacket(2_000_000_001, fromHex('bb'));
    w.flush();
    const cap = readCapture(sink.bytes());
    expect(cap.packets.map((p) => p.timestampNs)).to.deep.equal([11_000_000_000n, 13_000_000_000n]);
  });

  it('an empty capture is a valid file with only the header', () => {
    const sink = new MemorySink();
    new PcapWriter(sink).flush();
    expect(sink.bytes()).to.have.length(24);
    const cap = readCapture(sink.bytes());
    expect(cap).to.deep.include({ format: 'pcap', linkType: 1 });
    expect(cap.packets).to.have.length(0);
  });

  it('cuts frames at the snaplen and keeps their original length', () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { snaplen: 4 });
    w.writePacket(5, fromHex('01 02 03 04 05 06'));
    w.flush();
    const p = readCapture(sink.bytes()).packets[0]!;
    expect(toHex(p.data)).to.equal('01 02 03 04');
    expect(p.originalLength).to.equal(6);
    expect(toHex(sink.bytes().subarray(16, 20))).to.equal('04 00 00 00'); // snaplen field
  });

  it('hands bytes to the sink in large chunks, not per packet', () => {
    const sink = new CountingSink();
    const w = new PcapWriter(sink, { bufferBytes: 1024 });
    const frame = new Uint8Array(100).fill(7); // 116 bytes per record
    for (let i = 0; i < 50; i++) w.writePacket(i * 1000, frame);
    // 24 + 50 * 116 = 5824 bytes: nothing flushed yet except full buffers.
    expect(sink.chunks.length).to.be.within(5, 6);
    for (const c of sink.chunks) expect(c.length).to.be.within(1024 - 116, 1024);
    expect(sink.flushes).to.equal(0);
    w.flush();
    expect(sink.flushes).to.equal(1);
    const all = sink.bytes();
    expect(all.length).to.equal(24 + 50 * 116);
    expect(readCapture(all).packets).to.have.length(50);
    w.flush(); // nothing buffered: no empty chunk, but the sink is still flushed
    expect(sink.chunks.every((c) => c.length > 0)).to.equal(true);
    expect(sink.flushes).to.equal(2);
  });

  it('never touches a chunk again once the sink has it', () => {
    const sink = new CountingSink();
    const w = new PcapWriter(sink, { bufferBytes: 64 });
    w.writePacket(1, new Uint8Array(20).fill(1));
    w.writePacket(2, new Uint8Array(20).fill(2));
    const first = sink.chunks[0]!;
    const copy = Uint8Array.from(first);
    for (let i = 0; i < 10; i++) w.writePacket(3 + i, new Uint8Array(20).fill(9));
    w.flush();
    expect(toHex(first)).to.equal(toHex(copy));
  });

  it('writes a frame larger than the whole buffer', () => {
    const sink = new CountingSink();
    const w = new PcapWriter(sink, { bufferBytes: 64 });
    const big = Uint8Array.from({ length: 9000 }, (_, i) => i & 0xff);
    w.writePacket(1, fromHex('01'));
    w.writePacket(2, big);
    w.writePacket(3, fromHex('02'));
    w.flush();
    const cap = readCapture(sink.bytes());
    expect(cap.packets.map((p) => p.data.length)).to.deep.equal([1, 9000, 1]);
    expect(toHex(cap.packets[1]!.data)).to.equal(toHex(big));
  });

  it('refuses negative times and start times past 2106', () => {
    const w = new PcapWriter(new MemorySink());
    expect(() => w.writePacket(-1, fromHex('00'))).to.throw(RangeError);
    expect(() => w.writePacket(NaN, fromHex('00'))).to.throw(RangeError);
    expect(() => new PcapWriter(new MemorySink(), { startNs: 2n ** 32n * 1_000_000_000n })).to.throw(RangeError);
    expect(() => new PcapWriter(new MemorySink(), { startNs: -1n })).to.throw(RangeError);
  });

  it('property: random frames and times round-trip through the reader', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 4_000_000_000n * 1_000_000_000n }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 ** 50 }), fc.uint8Array({ maxLength: 200 })), { maxLength: 30 }),
        fc.integer({ min: 24, max: 600 }),
        (startNs, packets, bufferBytes) => {
          const sink = new MemorySink(16);
          const w = new PcapWriter(sink, { startNs, bufferBytes });
          for (const [t, frame] of packets) w.writePacket(t, frame);
          w.flush();
          const cap = readCapture(sink.bytes());
          expect(cap.format).to.equal('pcap');
          expect(cap.interfaces).to.deep.equal([{ linkType: 1, tsresol: 9 }]);
          expect(cap.packets.map((p) => [p.timestampNs, toHex(p.data), p.originalLength])).to.deep.equal(
            packets.map(([t, f]) => [startNs + BigInt(t), toHex(f), f.length]),
          );
          expect(w.bytes).to.equal(sink.bytes().length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('MemorySink', () => {
  it('grows as needed and keeps every byte in order', () => {
    const sink = new MemorySink(16);
    for (let i = 0; i < 100; i++) sink.write(Uint8Array.from([i, i]));
    expect(sink.length).to.equal(200);
    const b = sink.bytes();
    for (let i = 0; i < 100; i++) expect([b[2 * i], b[2 * i + 1]]).to.deep.equal([i, i]);
    const view = sink.bytes();
    sink.write(new Uint8Array(1000).fill(0xff));
    expect(view[0]).to.equal(0); // an earlier view stays valid after growth
    expect(sink.writes).to.equal(101);
  });
});
