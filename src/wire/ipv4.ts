/**
 * IPv4 headers (RFC 791), with the header checksum (RFC 1071) and the incremental TTL
 * decrement of a forwarding router (RFC 1624, RFC 1812 §5.3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |0|D|M|      Fragment Offset    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (IHL > 5)                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Heads up: `payload` ends at Total Length, not at the end of the buffer. Ethernet pads
 * short frames to 60 bytes on real NICs, so bytes after Total Length are padding and are
 * ignored, never an error. The fragment offset is given in bytes (the field counts 8-octet
 * units), and the reserved flag bit (RFC 3514's "evil bit") is ignored on parse and written 0.
 */
import { WireError } from './wire-error';
import { readU16, readU32, writeU16, writeU32 } from './bytes';
import { internetChecksum, updateChecksum16 } from './checksum';
import type { Ipv4 } from './ipv4-address';

/** IANA protocol numbers cnmlab understands; any other value passes through as a number. */
export const IpProtocol = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
} as const;

/** Length of a header without options (IHL = 5). */
export const IPV4_HEADER_LEN = 20;
/** IHL is 4 bits of 32-bit words: at most 60 bytes of header, so 40 of options. */
export const IPV4_MAX_OPTIONS_LEN = 40;
/** Total Length is 16 bits. */
export const IPV4_MAX_TOTAL_LEN = 0xffff;

const F = {
  VERSION_IHL: 0,
  TOS: 1,
  TOTAL_LENGTH: 2,
  IDENTIFICATION: 4,
  FLAGS_FRAGMENT: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
  OPTIONS: 20,
} as const;

const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const FRAGMENT_MASK = 0x1fff;

export interface Ipv4ParseOptions {
  /** Throw WireError('ipv4', 'bad checksum') when the header checksum is wrong (default false). */
  readonly verifyChecksum?: boolean;
  /**
   * Accept a Total Length beyond the buffer (default false): the datagram an ICMP error quotes
   * is cut after its first 8 payload bytes (RFC 792). `payload` and `packet` then end at the
   * buffer's end.
   */
  readonly allowTruncated?: boolean;
}

/** A zero-copy, read-only view of an IPv4 packet. */
export class Ipv4Packet {
  private constructor(readonly bytes: Uint8Array) {}

  /** `bytes` is the Ethernet payload (or a quoted packet); bytes after Total Length are ignored. */
  static parse(bytes: Uint8Array, opts?: Ipv4ParseOptions): Ipv4Packet {
    if (bytes.length < IPV4_HEADER_LEN) throw new WireError('ipv4', 'truncated');
    const vihl = bytes[F.VERSION_IHL]!;
    if (vihl >>> 4 !== 4) throw new WireError('ipv4', 'not version 4');
    const headerLength = (vihl & 0x0f) * 4;
    if (headerLength < IPV4_HEADER_LEN) throw new WireError('ipv4', 'header length below 20');
    if (headerLength > bytes.length) throw new WireError('ipv4', 'truncated');
    const totalLength = readU16(bytes, F.TOTAL_LENGTH);
    if (totalLength < headerLength) throw new WireError('ipv4', 'total length below header length');
    if (totalLength > bytes.length && !opts?.allowTruncated) throw new WireError('ipv4', 'length field exceeds buffer');
    if (opts?.verifyChecksum && internetChecksum(bytes, 0, headerLength) !== 0) {
      throw new WireError('ipv4', 'bad checksum');
    }
    return new Ipv4Packet(bytes);
  }

  get version(): number { return this.bytes[F.VERSION_IHL]! >>> 4; }
  /** In bytes (IHL × 4). */
  get headerLength(): number { return (this.bytes[F.VERSION_IHL]! & 0x0f) * 4; }
  /** RFC 2474 Differentiated Services code point (the upper 6 bits of the old TOS byte). */
  get dscp(): number { return this.bytes[F.TOS]! >>> 2; }
  /** RFC 3168 Explicit Congestion Notification (the lower 2 bits). */
  get ecn(): number { return this.bytes[F.TOS]! & 0x03; }
  get totalLength(): number { return readU16(this.bytes, F.TOTAL_LENGTH); }
  get identification(): number { return readU16(this.bytes, F.IDENTIFICATION); }
  get dontFragment(): boolean { return (readU16(this.bytes, F.FLAGS_FRAGMENT) & FLAG_DF) !== 0; }
  get moreFragments(): boolean { return (readU16(this.bytes, F.FLAGS_FRAGMENT) & FLAG_MF) !== 0; }
  /** In bytes (the field × 8). */
  get fragmentOffset(): number { return (readU16(this.bytes, F.FLAGS_FRAGMENT) & FRAGMENT_MASK) * 8; }
  /** True for any fragment of a fragmented datagram (MF set or a non-zero offset). */
  get isFragment(): boolean { return (readU16(this.bytes, F.FLAGS_FRAGMENT) & (FLAG_MF | FRAGMENT_MASK)) !== 0; }
  get ttl(): number { return this.bytes[F.TTL]!; }
  get protocol(): number { return this.bytes[F.PROTOCOL]!; }
  get checksum(): number { return readU16(this.bytes, F.CHECKSUM); }
  get src(): Ipv4 { return readU32(this.bytes, F.SRC); }
  get dst(): Ipv4 { return readU32(this.bytes, F.DST); }
  /** Options as a subarray view (empty when IHL = 5). */
  get options(): Uint8Array { return this.bytes.subarray(F.OPTIONS, this.headerLength); }
  /** The header, options included, as a subarray view (what an ICMP error quotes). */
  get header(): Uint8Array { return this.bytes.subarray(0, this.headerLength); }
  /** The payload as a subarray view, bounded by Total Length (padding excluded; see allowTruncated). */
  get payload(): Uint8Array { return this.bytes.subarray(this.headerLength, this.totalLength); }
  /** The packet itself, bounded by Total Length (padding excluded). */
  get packet(): Uint8Array { return this.bytes.subarray(0, this.totalLength); }
  /** True when the header checksum verifies. */
  get checksumValid(): boolean { return internetChecksum(this.bytes, 0, this.headerLength) === 0; }
}

/** The hot path's shortcuts on a buffer whose header the caller already validated. */
export function ipv4Src(b: Uint8Array, ipOffset = 0): Ipv4 { return readU32(b, ipOffset + F.SRC); }
export function ipv4Dst(b: Uint8Array, ipOffset = 0): Ipv4 { return readU32(b, ipOffset + F.DST); }

/** The fields a sender chooses; Total Length, IHL and the checksum are derived. */
export interface Ipv4Repr {
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly protocol: number;
  readonly ttl: number;
  readonly identification: number;
  /** Bytes after the header; Total Length = header + this. */
  readonly payloadLength: number;
  /** Default false. */
  readonly dontFragment?: boolean;
  /** Default false. */
  readonly moreFragments?: boolean;
  /** In bytes, a multiple of 8 (default 0). */
  readonly fragmentOffset?: number;
  /** Default 0. */
  readonly dscp?: number;
  /** Default 0. */
  readonly ecn?: number;
  /** Raw option bytes, carried through; padded with zeros (EOL) to a multiple of 4. */
  readonly options?: Uint8Array;
}

/**
 * The Repr of a parsed packet. Every optional field is present except `options`, which is
 * present only when the header has options (so `ipv4ReprOf(parse(emitIpv4(r)))` equals `r`
 * for such fully-specified Reprs).
 */
export function ipv4ReprOf(p: Ipv4Packet): Ipv4Repr {
  const base = {
    src: p.src,
    dst: p.dst,
    protocol: p.protocol,
    ttl: p.ttl,
    identification: p.identification,
    payloadLength: p.totalLength - p.headerLength,
    dontFragment: p.dontFragment,
    moreFragments: p.moreFragments,
    fragmentOffset: p.fragmentOffset,
    dscp: p.dscp,
    ecn: p.ecn,
  };
  return p.headerLength > IPV4_HEADER_LEN ? { ...base, options: p.options } : base;
}

/** The header length `emitIpv4` writes for `r` (options padded to 4 bytes). */
export function ipv4HeaderLength(r: Ipv4Repr): number {
  const optionsLength = r.options ? (r.options.length + 3) & ~3 : 0;
  return IPV4_HEADER_LEN + optionsLength;
}

/**
 * Writes the header (options included, checksum computed) at out[offset]; returns the offset
 * of the payload. The payload itself is the caller's: the checksum covers only the header.
 */
export function emitIpv4(r: Ipv4Repr, out: Uint8Array, offset = 0): number {
  const headerLength = ipv4HeaderLength(r);
  if (headerLength - IPV4_HEADER_LEN > IPV4_MAX_OPTIONS_LEN) throw new WireError('ipv4', 'options too long');
  const totalLength = headerLength + r.payloadLength;
  if (totalLength > IPV4_MAX_TOTAL_LEN) throw new WireError('ipv4', 'total length exceeds 65535');
  const fragmentOffset = r.fragmentOffset ?? 0;
  if (fragmentOffset < 0 || fragmentOffset % 8 !== 0 || fragmentOffset / 8 > FRAGMENT_MASK) {
    throw new WireError('ipv4', 'fragment offset not a multiple of 8 below 65536');
  }
  if (out.length - offset < headerLength) throw new WireError('ipv4', 'buffer too small');
  out[offset + F.VERSION_IHL] = 0x40 | (headerLength >>> 2);
  out[offset + F.TOS] = (((r.dscp ?? 0) & 0x3f) << 2) | ((r.ecn ?? 0) & 0x03);
  writeU16(out, offset + F.TOTAL_LENGTH, totalLength);
  writeU16(out, offset + F.IDENTIFICATION, r.identification);
  writeU16(out, offset + F.FLAGS_FRAGMENT,
    (r.dontFragment ? FLAG_DF : 0) | (r.moreFragments ? FLAG_MF : 0) | (fragmentOffset / 8));
  out[offset + F.TTL] = r.ttl;
  out[offset + F.PROTOCOL] = r.protocol;
  writeU16(out, offset + F.CHECKSUM, 0);
  writeU32(out, offset + F.SRC, r.src);
  writeU32(out, offset + F.DST, r.dst);
  if (r.options) {
    out.set(r.options, offset + F.OPTIONS);
    // RFC 791: the header is padded with zeros (End of Option List) to a 32-bit boundary.
    out.fill(0, offset + F.OPTIONS + r.options.length, offset + headerLength);
  }
  writeU16(out, offset + F.CHECKSUM, internetChecksum(out, offset, offset + headerLength));
  return offset + headerLength;
}

/**
 * A forwarding router's TTL decrement, in place: TTL − 1 and the checksum patched with the
 * RFC 1624 incremental update (as the kernel's ip_decrease_ttl() does), not re-summed.
 * Returns the new TTL. The caller owns `buf` (frames are immutable once transmitted, so this
 * runs on the router's own copy) and has already checked that the TTL is above 1 (RFC 1812
 * §5.3.1: a router sends Time Exceeded instead of forwarding a packet whose TTL reaches 0).
 */
export function decrementTtlInPlace(buf: Uint8Array, ipOffset: number): number {
  const ttl = buf[ipOffset + F.TTL]!;
  if (ttl === 0) throw new RangeError('decrementTtlInPlace: TTL is already 0');
  const protocol = buf[ipOffset + F.PROTOCOL]!;
  const oldWord = (ttl << 8) | protocol;
  const newWord = ((ttl - 1) << 8) | protocol;
  const checksum = readU16(buf, ipOffset + F.CHECKSUM);
  buf[ipOffset + F.TTL] = ttl - 1;
  writeU16(buf, ipOffset + F.CHECKSUM, updateChecksum16(checksum, oldWord, newWord));
  return ttl - 1;
}
