/**
 * Classic pcap writer (draft-ietf-opsawg-pcap; libpcap's savefile format), nanosecond flavour.
 *
 * File header, 24 bytes, written in the file's native order (little-endian here):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Magic Number 0xa1b23c4d (ns)                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Major Version 2         |        Minor Version 4        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Reserved1 (thiszone) = 0                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Reserved2 (sigfigs) = 0                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            SnapLen                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | FCS |f|       reserved        |     LinkType = 1 (Ethernet)   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Each packet: a 16-byte record header (seconds, nanoseconds, captured length, original
 * length), then the captured bytes with no padding.
 *
 * Heads up: the record's seconds field is 32 bits, so timestamps end in 2106; a start time
 * beyond that is refused. Frames longer than the snaplen are cut, keeping the original length.
 */
import type { Nanos } from '../sim';
import type { ByteSink } from './byte-sink';
import { ChunkedOutput } from './chunked-output';

export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/** Defaults of `PcapWriter` options. */
export const PCAP_WRITER_DEFAULTS = {
  /** tcpdump's default snaplen (MAXIMUM_SNAPLEN in libpcap): large enough to never cut a frame. */
  snaplen: 262144,
  /** Wall-clock nanoseconds at simulated t = 0: the Unix epoch unless the scenario sets `start`. */
  startNs: 0n,
  /** Packets collect in a buffer of this size before the sink sees them. */
  bufferBytes: 64 * 1024,
} as const;

export interface PcapWriterOptions {
  snaplen?: number;
  startNs?: bigint;
  bufferBytes?: number;
}

const NS_PER_SEC = 1_000_000_000;

export class PcapWriter {
  readonly #out: ChunkedOutput;
  readonly #snaplen: number;
  /** startNs split so the per-packet arithmetic stays in exact doubles (no BigInt on the hot path). */
  readonly #startSec: number;
  readonly #startSubNs: number;
  #packets = 0;
  #bytes = 0;

  constructor(sink: ByteSink, opts: PcapWriterOptions = {}) {
    const snaplen = opts.snaplen ?? PCAP_WRITER_DEFAULTS.snaplen;
    const startNs = opts.startNs ?? PCAP_WRITER_DEFAULTS.startNs;
    const bufferBytes = opts.bufferBytes ?? PCAP_WRITER_DEFAULTS.bufferBytes;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0xffffffff) throw new RangeError(`bad snaplen ${snaplen}`);
    if (startNs < 0n || startNs / 1_000_000_000n > 0xffffffffn) throw new RangeError(`start time ${startNs} ns does not fit a pcap timestamp`);
    if (!Number.isInteger(bufferBytes) || bufferBytes < PCAP_FILE_HEADER_LEN) throw new RangeError(`bad bufferBytes ${bufferBytes}`);
    this.#snaplen = snaplen;
    this.#startSec = Number(startNs / 1_000_000_000n);
    this.#startSubNs = Number(startNs % 1_000_000_000n);
    this.#out = new ChunkedOutput(sink, bufferBytes);
    const v = this.#out.view;
    v.setUint32(0, PCAP_MAGIC_NANOSECONDS, true);
    v.setUint16(4, 2, true); // version major
    v.setUint16(6, 4, true); // version minor
    v.setUint32(8, 0, true); // thiszone: timestamps are UTC
    v.setUint32(12, 0, true); // sigfigs: always 0
    v.setUint32(16, snaplen, true);
    v.setUint32(20, LINKTYPE_ETHERNET, true); // no FCS bits: frames carry no FCS
    this.#out.used = PCAP_FILE_HEADER_LEN;
  }

  /** Packets written so far. */
  get packets(): number {
    return this.#packets;
  }

  /** File bytes produced so far (headers included), buffered or handed over. */
  get bytes(): number {
    return this.#bytes + PCAP_FILE_HEADER_LEN;
  }

  /** Appends one frame seen at simulated time `timeNs` (an integer ≥ 0). */
  writePacket(timeNs: Nanos, frame: Uint8Array): void {
    if (!(timeNs >= 0)) throw new RangeError(`bad packet time ${timeNs}`);
    const capLen = frame.length < this.#snaplen ? frame.length : this.#snaplen;
    const recordLen = PCAP_RECORD_HEADER_LEN + capLen;
    const o = this.#out.reserve(recordLen);
    const sub = this.#startSubNs + timeNs;
    const carry = Math.floor(sub / NS_PER_SEC);
    const sec = this.#startSec + carry;
    if (sec > 0xffffffff) throw new RangeError(`packet time ${timeNs} ns is past the pcap epoch limit (2106)`);
    const v = this.#out.view;
    v.setUint32(o, sec, true);
    v.setUint32(o + 4, sub - carry * NS_PER_SEC, true);
    v.setUint32(o + 8, capLen, true);
    v.setUint32(o + 12, frame.length, true);
    this.#out.buf.set(capLen === frame.length ? frame : frame.subarray(0, capLen), o + PCAP_RECORD_HEADER_LEN);
    this.#out.used = o + recordLen;
    this.#packets++;
    this.#bytes += recordLen;
  }

  /** Hands every buffered byte to the sink and flushes it: the file is complete up to here. */
  flush(): void {
    this.#out.flush();
  }

}
