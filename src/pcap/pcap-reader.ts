/**
 * Reads capture files back into packets: classic pcap and pcapng. cnmlab only writes captures;
 * this reader exists so that tests can check what the writers produced and can use the real
 * kernel's captures (../shared/fixtures/kernel/*.pcap) as test vectors.
 *
 * Classic pcap (draft-ietf-opsawg-pcap): a 24-byte file header whose magic says both the byte
 * order and the timestamp resolution, then 16-byte record headers each followed by the packet.
 *
 *   magic 0xa1b2c3d4 (µs) or 0xa1b23c4d (ns) | version 2.4 | reserved | reserved | snaplen |
 *   FCS bits + LinkType
 *   record: ts seconds | ts µs-or-ns | captured length | original length | data
 *
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each
 *   block type (u32) | block total length (u32) | body | block total length (u32)
 * A Section Header Block (type 0x0a0d0d0a) starts each section and fixes its byte order through
 * the byte-order magic 0x1a2b3c4d; Interface Description Blocks (type 1) number the section's
 * interfaces from 0; Enhanced Packet Blocks (type 6) and Simple Packet Blocks (type 3) carry
 * the packets. Every other block type is skipped, as the spec asks of readers.
 *
 * Heads up: interface ids restart at 0 in every pcapng section, but this reader returns one
 * flat `interfaces` list for the whole file, so `packets[i].interfaceId` indexes that list
 * (it equals the in-file id for the usual single-section file).
 */

/** A capture file that this reader cannot make sense of: the bytes are not a capture, or a length lies. */
export class CaptureFormatError extends Error {
  constructor(reason: string, readonly offset: number) {
    super(`capture: ${reason} (at byte ${offset})`);
    this.name = 'CaptureFormatError';
  }
}

/** One interface of a capture: classic pcap files have exactly one. */
export interface CaptureInterface {
  /** pcapng `if_name`; absent in classic pcap and when the IDB carries none. */
  name?: string;
  /** LINKTYPE_* value (1 = Ethernet). */
  linkType: number;
  /**
   * The timestamp resolution as pcapng's `if_tsresol` byte encodes it: 6 = microseconds (the
   * default when the option is absent), 9 = nanoseconds; the top bit set means a power of two
   * (0x80 | n = 2^-n s). Classic pcap files report 6 or 9 according to their magic.
   */
  tsresol: number;
}

export interface CapturePacket {
  /** Absolute timestamp in nanoseconds since the Unix epoch (or since the writer's t = 0). */
  timestampNs: bigint;
  /** The captured bytes (a copy: it does not alias the file buffer). */
  data: Uint8Array;
  /** Index into `Capture.interfaces`. */
  interfaceId: number;
  /** The pcapng `opt_comment` of the packet, when present (several are joined with "\n"). */
  comment?: string;
  /** The length of the frame on the wire; greater than `data.length` when the snaplen cut it. */
  originalLength: number;
}

export interface Capture {
  format: 'pcap' | 'pcapng';
  /** The link type of the first interface (of the file header in classic pcap); 1 = Ethernet. */
  linkType: number;
  interfaces: CaptureInterface[];
  packets: CapturePacket[];
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_FILE_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;

/** pcapng block types (draft-ietf-opsawg-pcapng section 11.1). */
const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** The obsolete Packet Block, still found in old files. */
  PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Option codes used here; opt_comment (1) is valid in every block. */
const Opt = { END: 0, COMMENT: 1, IF_NAME: 2, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;
/** The default when an IDB has no if_tsresol: microseconds. */
const DEFAULT_TSRESOL = 6;

/** Parses a whole capture file held in memory. Throws `CaptureFormatError` on broken bytes. */
export function readCapture(bytes: Uint8Array): Capture {
  if (bytes.length < 4) throw new CaptureFormatError('too short to be a capture file', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) === BlockType.SECTION_HEADER) return readPcapng(bytes, view);
  return readPcap(bytes, view);
}

function readPcap(bytes: Uint8Array, view: DataView): Capture {
  if (bytes.length < PCAP_FILE_HEADER_LEN) throw new CaptureFormatError('truncated pcap file header', 0);
  let le: boolean;
  let nanos: boolean;
  const magicLe = view.getUint32(0, true);
  const magicBe = view.getUint32(0, false);
  if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) {
    le = true;
    nanos = magicLe === PCAP_MAGIC_NS;
  } else if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) {
    le = false;
    nanos = magicBe === PCAP_MAGIC_NS;
  } else {
    throw new CaptureFormatError(`not a pcap or pcapng file (magic 0x${magicBe.toString(16).padStart(8, '0')})`, 0);
  }
  const major = view.getUint16(4, le);
  if (major !== 2) throw new CaptureFormatError(`unsupported pcap version ${major}`, 4);
  // The top bits of the LinkType field carry the FCS length (libpcap's LT_LINKTYPE masks them off).
  const linkType = view.getUint32(20, le) & 0xffff;
  const fractionNs = nanos ? 1n : 1000n;
  const packets: CapturePacket[] = [];
  let o = PCAP_FILE_HEADER_LEN;
  while (o < bytes.length) {
    if (o + PCAP_RECORD_HEADER_LEN > bytes.length) throw new CaptureFormatError('truncated record header', o);
    const sec = view.getUint32(o, le);
    const frac = view.getUint32(o + 4, le);
    const capLen = view.getUint32(o + 8, le);
    const origLen = view.getUint32(o + 12, le);
    const start = o + PCAP_RECORD_HEADER_LEN;
    if (start + capLen > bytes.length) throw new CaptureFormatError('record longer than the file', o);
    packets.push({
      timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * fractionNs,
      data: bytes.slice(start, start + capLen),
      interfaceId: 0,
      originalLength: origLen,
    });
    o = start + capLen;
  }
  return { format: 'pcap', linkType, interfaces: [{ linkType, tsresol: nanos ? 9 : 6 }], packets };
}

/** Per-interface state needed to turn an EPB's timestamp units into nanoseconds. */
interface SectionInterface {
  global: number;
  tsresol: number;
  /** if_tsoffset: seconds added to every timestamp. */
  tsoffsetSec: bigint;
  snaplen: number;
}

function readPcapng(bytes: Uint8Array, view: DataView): Capture {
  const interfaces: CaptureInterface[] = [];
  const packets: CapturePacket[] = [];
  let section: SectionInterface[] = [];
  let le = true;
  let o = 0;
  const decoder = new TextDecoder();
  while (o < bytes.length) {
    if (o + 12 > bytes.length) throw new CaptureFormatError('truncated block header', o);
    let type = view.getUint32(o, le);
    if (view.getUint32(o, true) === BlockType.SECTION_HEADER) {
      // A new section: its byte-order magic decides how everything up to the next SHB is read.
      type = BlockType.SECTION_HEADER;
      const magicLe = view.getUint32(o + 8, true);
      if (magicLe === BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(o + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else throw new CaptureFormatError('bad byte-order magic in section header', o + 8);
      section = [];
    }
    const total = view.getUint32(o + 4, le);
    if (total < 12 || total % 4 !== 0 || o + total > bytes.length) {
      throw new CaptureFormatError(`bad block total length ${total}`, o + 4);
    }
    if (view.getUint32(o + total - 4, le) !== total) {
      throw new CaptureFormatError('trailing block total length differs from the leading one', o + total - 4);
    }
    const body = o + 8;
    const end = o + total - 4;
    switch (type) {
      case BlockType.SECTION_HEADER: {
        if (end - body < 16) throw new CaptureFormatError('truncated section header block', o);
        const major = view.getUint16(body + 4, le);
        if (major !== 1) throw new CaptureFormatError(`unsupported pcapng version ${major}`, body + 4);
        break;
      }
      case BlockType.INTERFACE_DESCRIPTION: {
        if (end - body < 8) throw new CaptureFormatError('truncated interface description block', o);
        const linkType = view.getUint16(body, le);
        const snaplen = view.getUint32(body + 4, le);
        const iface: CaptureInterface = { linkType, tsresol: DEFAULT_TSRESOL };
        let tsoffsetSec = 0n;
        forEachOption(view, le, body + 8, end, (code, at, len) => {
          if (code === Opt.IF_NAME) iface.name = decoder.decode(bytes.subarray(at, at + len));
          else if (code === Opt.IF_TSRESOL && len >= 1) iface.tsresol = bytes[at]!;
          else if (code === Opt.IF_TSOFFSET && len === 8) tsoffsetSec = view.getBigInt64(at, le);
        });
        section.push({ global: interfaces.length, tsresol: iface.tsresol, tsoffsetSec, snaplen });
        interfaces.push(iface);
        break;
      }
      case BlockType.ENHANCED_PACKET:
      case BlockType.PACKET: {
        if (end - body < 20) throw new CaptureFormatError('truncated packet block', o);
        // The obsolete Packet Block has a 16-bit interface id followed by a 16-bit drops count.
        const id = type === BlockType.PACKET ? view.getUint16(body, le) : view.getUint32(body, le);
        const iface = section[id];
        if (!iface) throw new CaptureFormatError(`packet for undeclared interface ${id}`, body);
        const units = (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
        const capLen = view.getUint32(body + 12, le);
        const origLen = view.getUint32(body + 16, le);
        const data = body + 20;
        if (data + capLen > end) throw new CaptureFormatError('packet data longer than its block', body + 12);
        const packet: CapturePacket = {
          timestampNs: unitsToNs(units, iface.tsresol) + iface.tsoffsetSec * 1_000_000_000n,
          data: bytes.slice(data, data + capLen),
          interfaceId: iface.global,
          originalLength: origLen,
        };
        const comments: string[] = [];
        forEachOption(view, le, data + pad4(capLen), end, (code, at, len) => {
          if (code === Opt.COMMENT) comments.push(decoder.decode(bytes.subarray(at, at + len)));
        });
        if (comments.length > 0) packet.comment = comments.join('\n');
        packets.push(packet);
        break;
      }
      case BlockType.SIMPLE_PACKET: {
        // An SPB belongs to interface 0, has no timestamp, and its captured length is the
        // smaller of the original length and that interface's snaplen (0 = no limit).
        const iface = section[0];
        if (!iface) throw new CaptureFormatError('simple packet block before any interface', o);
        if (end - body < 4) throw new CaptureFormatError('truncated simple packet block', o);
        const origLen = view.getUint32(body, le);
        let capLen = Math.min(origLen, end - (body + 4));
        if (iface.snaplen > 0) capLen = Math.min(capLen, iface.snaplen);
        packets.push({
          timestampNs: 0n,
          data: bytes.slice(body + 4, body + 4 + capLen),
          interfaceId: iface.global,
          originalLength: origLen,
        });
        break;
      }
      default:
        // Name resolution, interface statistics, custom and unknown blocks: skipped.
        break;
    }
    o += total;
  }
  return { format: 'pcapng', linkType: interfaces[0]?.linkType ?? 1, interfaces, packets };
}

/** Walks a pcapng option list (code u16, length u16, value padded to 32 bits) up to opt_endofopt or `end`. */
function forEachOption(
  view: DataView,
  le: boolean,
  start: number,
  end: number,
  visit: (code: number, valueAt: number, length: number) => void,
): void {
  let o = start;
  while (o + 4 <= end) {
    const code = view.getUint16(o, le);
    const len = view.getUint16(o + 2, le);
    if (code === Opt.END) return;
    if (o + 4 + len > end) throw new CaptureFormatError(`option ${code} longer than its block`, o);
    visit(code, o + 4, len);
    o += 4 + pad4(len);
  }
}

/** Converts timestamp units of an if_tsresol to nanoseconds (truncating finer resolutions). */
function unitsToNs(units: bigint, tsresol: number): bigint {
  if (tsresol & 0x80) {
    // 2^-n seconds per unit.
    const shift = BigInt(tsresol & 0x7f);
    return (units * 1_000_000_000n) >> shift;
  }
  const exp = tsresol;
  if (exp <= 9) return units * 10n ** BigInt(9 - exp);
  return units / 10n ** BigInt(exp - 9);
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}
