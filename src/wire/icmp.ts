/**
 * ICMPv4 (RFC 792): echo request/reply, destination unreachable (with RFC 1191's next-hop MTU
 * for "fragmentation needed") and time exceeded; other types pass through.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  echo:        Identifier      |        Sequence Number        |
 *  |  unreach:     unused (0)      |  Next-Hop MTU (code 4) or 0   |
 *  |  time exceeded:            unused (0)                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  echo: data ...   errors: IP header + first 8 payload bytes   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The checksum covers the whole ICMP message (header and data), no pseudo-header.
 *
 * Heads up: RFC 792 asks an error to quote the IP header plus 8 bytes, and that is what
 * `icmpErrorQuote` returns by default, but Linux quotes as much of the offending datagram as
 * fits in a 576-byte reply (icmp_send(): 576 − 20 − 8 = 548 bytes; RFC 1812 §4.3.2.3 allows
 * it). Pass `LINUX_ICMP_ERROR_QUOTE_MAX` to get the kernel's frame lengths: the traceroute
 * fixture's port unreachable quotes the whole 46-byte probe.
 */
import { WireError } from './wire-error';
import { readU16, readU32, writeU16, writeU32 } from './bytes';
import { internetChecksum } from './checksum';
import { Ipv4Packet } from './ipv4';
import { assertNever } from './assert-never';

/** ICMP types cnmlab understands; any other value passes through as a number. */
export const IcmpType = {
  EchoReply: 0,
  DestUnreachable: 3,
  /** Deprecated by RFC 6633; recognised for summaries only. */
  SourceQuench: 4,
  Redirect: 5,
  EchoRequest: 8,
  TimeExceeded: 11,
  ParameterProblem: 12,
} as const;

/** Codes of Destination Unreachable (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
export const IcmpUnreachCode = {
  Net: 0,
  Host: 1,
  Protocol: 2,
  Port: 3,
  /** "Fragmentation needed and DF set": carries the next-hop MTU (RFC 1191). */
  FragNeeded: 4,
  SourceRouteFailed: 5,
  NetUnknown: 6,
  HostUnknown: 7,
  NetProhibited: 9,
  HostProhibited: 10,
  /** What iptables' `REJECT --reject-with icmp-admin-prohibited` sends (RFC 1812). */
  AdminProhibited: 13,
} as const;

/** Codes of Time Exceeded. */
export const IcmpTimeExceededCode = {
  TtlInTransit: 0,
  FragmentReassembly: 1,
} as const;

export const ICMP_HEADER_LEN = 8;
/** Linux icmp_send(): an error fits in 576 bytes, so the quote is at most 576 − 20 − 8 bytes. */
export const LINUX_ICMP_ERROR_QUOTE_MAX = 548;

const F = {
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  IDENTIFIER: 4,
  SEQUENCE: 6,
  /** RFC 1191: the low 16 bits of the second word of a "fragmentation needed" message. */
  NEXT_HOP_MTU: 6,
  REST: 4,
  DATA: 8,
} as const;

export interface IcmpParseOptions {
  /** Throw WireError('icmp', 'bad checksum') when the checksum is wrong (default false). */
  readonly verifyChecksum?: boolean;
}

/** A zero-copy, read-only view of an ICMP message (the IPv4 payload, bounded by Total Length). */
export class IcmpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  static parse(bytes: Uint8Array, opts?: IcmpParseOptions): IcmpPacket {
    if (bytes.length < ICMP_HEADER_LEN) throw new WireError('icmp', 'truncated');
    if (opts?.verifyChecksum && internetChecksum(bytes) !== 0) throw new WireError('icmp', 'bad checksum');
    return new IcmpPacket(bytes);
  }

  get type(): number { return this.bytes[F.TYPE]!; }
  get code(): number { return this.bytes[F.CODE]!; }
  get checksum(): number { return readU16(this.bytes, F.CHECKSUM); }
  /** Echo request/reply identifier (meaningless for other types). */
  get identifier(): number { return readU16(this.bytes, F.IDENTIFIER); }
  /** Echo request/reply sequence number (meaningless for other types). */
  get sequence(): number { return readU16(this.bytes, F.SEQUENCE); }
  /** RFC 1191 next-hop MTU of a "fragmentation needed" message (0 from pre-RFC 1191 routers). */
  get nextHopMtu(): number { return readU16(this.bytes, F.NEXT_HOP_MTU); }
  /** The second 32-bit word, whatever it means for this type. */
  get rest(): number { return readU32(this.bytes, F.REST); }
  /** The bytes after the 8-byte header: echo data, or an error's quoted datagram. */
  get data(): Uint8Array { return this.bytes.subarray(F.DATA); }
  get isError(): boolean {
    const t = this.type;
    return t === IcmpType.DestUnreachable || t === IcmpType.TimeExceeded || t === IcmpType.ParameterProblem
      || t === IcmpType.Redirect || t === IcmpType.SourceQuench;
  }
  get checksumValid(): boolean { return internetChecksum(this.bytes) === 0; }
}

export interface IcmpEchoRepr {
  readonly kind: 'echo-request' | 'echo-reply';
  readonly identifier: number;
  readonly sequence: number;
  readonly data: Uint8Array;
}
export interface IcmpDestUnreachableRepr {
  readonly kind: 'dest-unreachable';
  readonly code: number;
  /** RFC 1191: set for code 4 (fragmentation needed); written in the low half of word 2. */
  readonly nextHopMtu?: number;
  /** The offending datagram's IP header and first bytes (see `icmpErrorQuote`). */
  readonly quote: Uint8Array;
}
export interface IcmpTimeExceededRepr {
  readonly kind: 'time-exceeded';
  readonly code: number;
  readonly quote: Uint8Array;
}
/** Any other message, or one of the above whose bytes the typed form cannot carry exactly. */
export interface IcmpOtherRepr {
  readonly kind: 'other';
  readonly type: number;
  readonly code: number;
  /** The second 32-bit word. */
  readonly rest: number;
  readonly data: Uint8Array;
}
export type IcmpRepr = IcmpEchoRepr | IcmpDestUnreachableRepr | IcmpTimeExceededRepr | IcmpOtherRepr;

/**
 * The Repr of a parsed message. Echo with a non-zero code, and errors whose unused bytes are
 * not zero (e.g. RFC 4884 extension lengths), come back as 'other' so that re-emitting the
 * Repr gives the same bytes. `nextHopMtu` is present for code 4, or whenever non-zero.
 */
export function icmpReprOf(p: IcmpPacket): IcmpRepr {
  const type = p.type;
  const code = p.code;
  if ((type === IcmpType.EchoRequest || type === IcmpType.EchoReply) && code === 0) {
    return {
      kind: type === IcmpType.EchoRequest ? 'echo-request' : 'echo-reply',
      identifier: p.identifier,
      sequence: p.sequence,
      data: p.data,
    };
  }
  if (type === IcmpType.DestUnreachable && readU16(p.bytes, F.REST) === 0) {
    const mtu = p.nextHopMtu;
    return code === IcmpUnreachCode.FragNeeded || mtu !== 0
      ? { kind: 'dest-unreachable', code, nextHopMtu: mtu, quote: p.data }
      : { kind: 'dest-unreachable', code, quote: p.data };
  }
  if (type === IcmpType.TimeExceeded && p.rest === 0) {
    return { kind: 'time-exceeded', code, quote: p.data };
  }
  return { kind: 'other', type, code, rest: p.rest, data: p.data };
}

function bodyOf(r: IcmpRepr): Uint8Array {
  switch (r.kind) {
    case 'echo-request':
    case 'echo-reply':
    case 'other':
      return r.data;
    case 'dest-unreachable':
    case 'time-exceeded':
      return r.quote;
    default:
      return assertNever(r, 'ICMP repr');
  }
}

/** The length of the whole message `emitIcmp` writes. */
export function icmpLength(r: IcmpRepr): number {
  return ICMP_HEADER_LEN + bodyOf(r).length;
}

/** Writes the whole message (checksum computed) at out[offset]; returns the offset after it. */
export function emitIcmp(r: IcmpRepr, out: Uint8Array, offset = 0): number {
  const body = bodyOf(r);
  const end = offset + ICMP_HEADER_LEN + body.length;
  if (out.length < end) throw new WireError('icmp', 'buffer too small');
  switch (r.kind) {
    case 'echo-request':
    case 'echo-reply':
      out[offset + F.TYPE] = r.kind === 'echo-request' ? IcmpType.EchoRequest : IcmpType.EchoReply;
      out[offset + F.CODE] = 0;
      writeU16(out, offset + F.IDENTIFIER, r.identifier);
      writeU16(out, offset + F.SEQUENCE, r.sequence);
      break;
    case 'dest-unreachable':
      out[offset + F.TYPE] = IcmpType.DestUnreachable;
      out[offset + F.CODE] = r.code;
      writeU16(out, offset + F.REST, 0);
      writeU16(out, offset + F.NEXT_HOP_MTU, r.nextHopMtu ?? 0);
      break;
    case 'time-exceeded':
      out[offset + F.TYPE] = IcmpType.TimeExceeded;
      out[offset + F.CODE] = r.code;
      writeU32(out, offset + F.REST, 0);
      break;
    case 'other':
      out[offset + F.TYPE] = r.type;
      out[offset + F.CODE] = r.code;
      writeU32(out, offset + F.REST, r.rest);
      break;
    default:
      assertNever(r, 'ICMP repr');
  }
  writeU16(out, offset + F.CHECKSUM, 0);
  out.set(body, offset + F.DATA);
  writeU16(out, offset + F.CHECKSUM, internetChecksum(out, offset, end));
  return end;
}

/**
 * What an ICMP error quotes of the datagram `ipPacket` (which may carry Ethernet padding):
 * by default the IP header plus the first 8 bytes of its payload (RFC 792); with `maxLength`,
 * as much of the datagram as fits in that many bytes, never less than the RFC 792 quote (the
 * kernel's behaviour with `LINUX_ICMP_ERROR_QUOTE_MAX`). A subarray view, not a copy.
 * Throws WireError('ipv4', …) when `ipPacket` is not a well-formed IPv4 datagram: a node never
 * answers a broken datagram with an ICMP error (RFC 1122 §3.2.2).
 */
export function icmpErrorQuote(ipPacket: Uint8Array, maxLength?: number): Uint8Array {
  const ip = Ipv4Packet.parse(ipPacket);
  const rfc792 = Math.min(ip.headerLength + 8, ip.totalLength);
  const length = maxLength === undefined ? rfc792 : Math.max(rfc792, Math.min(maxLength, ip.totalLength));
  return ipPacket.subarray(0, length);
}
