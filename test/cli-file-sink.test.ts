// The CLI's file sink (src/cli/file-sink.ts): bytes reach the disk at each flush, in order; the
// first flush replaces an older file; nothing is written before the first flush.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../src/cli';
import { PcapWriter, readCapture } from '../src/pcap';

describe('FileSink', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cnmlab-sink-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('writes at flush, appends later flushes, creates missing folders', () => {
    const path = join(dir, 'a', 'b', 'f.bin');
    const sink = new FileSink(path);
    sink.write(new Uint8Array([1, 2]));
    sink.write(new Uint8Array([3]));
    expect(existsSync(path)).to.equal(false);
    sink.flush();
    expect([...readFileSync(path)]).to.deep.equal([1, 2, 3]);
    sink.write(new Uint8Array([4]));
    sink.flush();
    sink.flush();
    expect([...readFileSync(path)]).to.deep.equal([1, 2, 3, 4]);
  });

  it('replaces what an earlier run left at its first flush', () => {
    const path = join(dir, 'f.bin');
    writeFileSync(path, 'an older, longer file');
    const sink = new FileSink(path);
    sink.write(new Uint8Array([9]));
    sink.flush();
    expect([...readFileSync(path)]).to.deep.equal([9]);
  });

  it('leaves a readable pcap after every flush (a crash after a step keeps the step\'s frames)', () => {
    const path = join(dir, 'x.pcap');
    const w = new PcapWriter(new FileSink(path));
    w.writePacket(1000, new Uint8Array(60));
    w.flush();
    expect(readCapture(readFileSync(path)).packets).to.have.length(1);
    w.writePacket(2000, new Uint8Array(60));
    w.flush();
    expect(readCapture(readFileSync(path)).packets).to.have.length(2);
  });
});
