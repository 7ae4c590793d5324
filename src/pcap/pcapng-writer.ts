/**
 * pcapng writer (draft-ietf-opsawg-pcapng), little-endian, one section. Used for the
 * `all.pcapng` of a run: one Interface Description Block per link, packets with comments.
 *
 * Every block has the same frame:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Block Type                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Block Total Length                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  /                          Block Body                           /
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Block Total Length                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Section Header Block (0x0a0d0d0a): byte-order magic 0x1a2b3c4d, version 1.0, section
 * length -1 (not computed: we stream), options (shb_userappl = 4).
 * Interface Description Block (1): LinkType (u16), reserved (u16), SnapLen (u32), options
 * (if_name = 2, if_tsresol = 9 with value 9: timestamps count nanoseconds).
 * Enhanced Packet Block (6): interface id, timestamp upper and lower 32 bits, captured length,
 * original length, packet data padded to 32 bits, options (opt_comment = 1).
 * An option is code (u16), length (u16), value padded to 32 bits; a list ends with
 * opt_endofopt (code 0, length 0).
 *
 * Heads up: an IDB may come anywhere in the section as long as it precedes the packets that
 * name it, so `addInterface` can be called after packets were written (a link created late).
 */
import type { Nanos } from '../sim';
import type { ByteSink } from './byte-sink';
import { ChunkedOutput } from './chunked-output';
import { LINKTYPE_ETHERNET } from './pcap-writer';

const BlockType = { SECTION_HEADER: 0x0a0d0d0a, INTERFACE_DESCRIPTION: 1, ENHANCED_PACKET: 6 } as const;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const Opt = { COMMENT: 1, IF_NAME: 2, SHB_USERAPPL: 4, IF_TSRESOL: 9 } as const;
/** if_tsresol value: 10^-9 s per timestamp unit. */
const TSRESOL_NANOSECONDS = 9;
const TSRESOL_BYTES = new Uint8Array([TSRESOL_NANOSECONDS]);
/** Fixed part of an EPB: type, length, interface id, ts high, ts low, captured, original, trailing length. */
const EPB_FIXED_LEN = 32;

/** Defaults of `PcapngWriter` options. */
export const PCAPNG_WRITER_DEFAULTS = {
  /** Wall-clock nanoseconds at simulated t = 0: the Unix epoch unless the scenario sets `start`. */
  startNs: 0n,
  /** Blocks collect in a buffer of this size before the sink sees them. */
  bufferBytes: 64 * 1024,
  /** shb_userappl: the application that wrote the file (Wireshark shows it in Capture File Properties). */
  application: 'cnmlab',
  /** Per-interface snaplen; the same as tcpdump's default, so frames are never cut. */
  snaplen: 262144,
} as const;

export interface PcapngWriterOptions {
  startNs?: bigint;
  bufferBytes?: number;
  application?: string;
}

const TWO_POW_32 = 0x1_0000_0000;
const utf8 = new TextEncoder();

export class PcapngWriter {
  readonly #out: ChunkedOutput;
  /** startNs split into 32-bit halves so per-packet timestamps need no BigInt. */
  readonly #startHi: number;
  readonly #startLo: number;
  readonly #snaplens: number[] = [];
  #packets = 0;
  #bytes = 0;

  constructor(sink: ByteSink, opts: PcapngWriterOptions = {}) {
    const startNs = opts.startNs ?? PCAPNG_WRITER_DEFAULTS.startNs;
    const bufferBytes = opts.bufferBytes ?? PCAPNG_WRITER_DEFAULTS.bufferBytes;
    if (startNs < 0n || startNs >= 1n << 64n) throw new RangeError(`start time ${startNs} ns does not fit a pcapng timestamp`);
    if (!Number.isInteger(bufferBytes) || bufferBytes < 64) throw new RangeError(`bad bufferBytes ${bufferBytes}`);
    this.#startHi = Number(startNs >> 32n);
    this.#startLo = Number(startNs & 0xffffffffn);
    this.#out = new ChunkedOutput(sink, bufferBytes);
    this.#writeSectionHeader(opts.application ?? PCAPNG_WRITER_DEFAULTS.application);
  }

  /** Packets written so far. */
  get packets(): number {
    return this.#packets;
  }

  /** File bytes produced so far, buffered or handed over. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Declares an interface (one link) and returns its id for `writePacket`, counting from 0. */
  addInterface(name: string, opts: { snaplen?: number } = {}): number {
    const snaplen = opts.snaplen ?? PCAPNG_WRITER_DEFAULTS.snaplen;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0xffffffff) throw new RangeError(`bad snaplen ${snaplen}`);
    const nameBytes = utf8.encode(name);
    if (nameBytes.length > 0xffff) throw new RangeError('interface name too long for a pcapng option');
    const optionsLen = optionLen(nameBytes.length) + optionLen(1) + 4;
    const total = 8 + 8 + optionsLen + 4;
    let o = this.#out.reserve(total);
    const v = this.#out.view;
    v.setUint32(o, BlockType.INTERFACE_DESCRIPTION, true);
    v.setUint32(o + 4, total, true);
    v.setUint16(o + 8, LINKTYPE_ETHERNET, true);
    v.setUint16(o + 10, 0, true); // reserved
    v.setUint32(o + 12, snaplen, true);
    o = this.#writeOption(o + 16, Opt.IF_NAME, nameBytes);
    o = this.#writeOption(o, Opt.IF_TSRESOL, TSRESOL_BYTES);
    o = this.#writeEndOfOptions(o);
    v.setUint32(o, total, true);
    this.#commit(total);
    this.#snaplens.push(snaplen);
    return this.#snaplens.length - 1;
  }

  /** Appends one frame seen on `interfaceId` at simulated time `timeNs`, with an optional packet comment. */
  writePacket(interfaceId: number, timeNs: Nanos, frame: Uint8Array, comment?: string): void {
    const snaplen = this.#snaplens[interfaceId];
    if (snaplen === undefined) throw new RangeError(`unknown pcapng interface ${interfaceId}`);
    if (!(timeNs >= 0)) throw new RangeError(`bad packet time ${timeNs}`);
    const capLen = frame.length < snaplen ? frame.length : snaplen;
    const commentBytes = comment === undefined ? undefined : utf8.encode(comment);
    if (commentBytes && commentBytes.length > 0xffff) throw new RangeError('packet comment too long for a pcapng option');
    const optionsLen = commentBytes ? optionLen(commentBytes.length) + 4 : 0;
    const total = EPB_FIXED_LEN + pad4(capLen) + optionsLen;
    // Timestamp = startNs + timeNs as two 32-bit halves, carried by hand.
    const tHi = Math.floor(timeNs / TWO_POW_32);
    let lo = this.#startLo + (timeNs - tHi * TWO_POW_32);
    let hi = this.#startHi + tHi;
    if (lo >= TWO_POW_32) {
      lo -= TWO_POW_32;
      hi += 1;
    }
    if (hi > 0xffffffff) throw new RangeError(`packet time ${timeNs} ns overflows a pcapng timestamp`);
    let o = this.#out.reserve(total);
    const v = this.#out.view;
    v.setUint32(o, BlockType.ENHANCED_PACKET, true);
    v.setUint32(o + 4, total, true);
    v.setUint32(o + 8, interfaceId, true);
    v.setUint32(o + 12, hi, true);
    v.setUint32(o + 16, lo, true);
    v.setUint32(o + 20, capLen, true);
    v.setUint32(o + 24, frame.length, true);
    this.#out.buf.set(capLen === frame.length ? frame : frame.subarray(0, capLen), o + 28);
    // The padding after the data must be zero, and a reused buffer (copiesChunks) holds old bytes.
    const dataEnd = o + 28 + capLen;
    o += 28 + pad4(capLen);
    if (o !== dataEnd) this.#out.buf.fill(0, dataEnd, o);
    if (commentBytes) {
      o = this.#writeOption(o, Opt.COMMENT, commentBytes);
      o = this.#writeEndOfOptions(o);
    }
    v.setUint32(o, total, true);
    this.#commit(total);
    this.#packets++;
  }

  /** Hands every buffered byte to the sink and flushes it: the file is complete up to here. */
  flush(): void {
    this.#out.flush();
  }

  #writeSectionHeader(application: string): void {
    const appBytes = utf8.encode(application);
    if (appBytes.length > 0xffff) throw new RangeError('application name too long for a pcapng option');
    const total = 8 + 16 + optionLen(appBytes.length) + 4 + 4;
    let o = this.#out.reserve(total);
    const v = this.#out.view;
    v.setUint32(o, BlockType.SECTION_HEADER, true);
    v.setUint32(o + 4, total, true);
    v.setUint32(o + 8, BYTE_ORDER_MAGIC, true);
    v.setUint16(o + 12, 1, true); // major version
    v.setUint16(o + 14, 0, true); // minor version
    v.setInt32(o + 16, -1, true); // section length -1 = not specified (64 bits, all ones)
    v.setInt32(o + 20, -1, true);
    o = this.#writeOption(o + 24, Opt.SHB_USERAPPL, appBytes);
    o = this.#writeEndOfOptions(o);
    v.setUint32(o, total, true);
    this.#commit(total);
  }

  #commit(len: number): void {
    this.#out.used += len;
    this.#bytes += len;
  }

  #writeOption(o: number, code: number, value: Uint8Array): number {
    this.#out.view.setUint16(o, code, true);
    this.#out.view.setUint16(o + 2, value.length, true);
    this.#out.buf.set(value, o + 4);
    const end = o + optionLen(value.length);
    // Zero padding (a reused buffer holds old bytes there).
    if (end !== o + 4 + value.length) this.#out.buf.fill(0, o + 4 + value.length, end);
    return end;
  }

  #writeEndOfOptions(o: number): number {
    this.#out.view.setUint32(o, 0, true); // opt_endofopt: code 0, length 0
    return o + 4;
  }

}

/** Bytes an option takes: its 4-byte header and its value padded to 32 bits. */
function optionLen(valueLen: number): number {
  return 4 + pad4(valueLen);
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
