/**
 * UDP (RFC 768), with the IPv4 pseudo-header checksum.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Length             |           Checksum            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          data octets ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * The checksum covers the pseudo-header (source and destination address, zero, protocol 17,
 * UDP length), the UDP header and the data, padded with a zero byte to an even length.
 *
 * Heads up: a checksum field of 0 means "no checksum" (RFC 768), so a computed 0 is sent as
 * 0xffff, and a received 0 always verifies. Captures taken on a Linux veth show UDP checksums
 * the kernel left to offload (a partial sum, not the final value); cnmlab always writes the
 * final one.
 */
import { WireError } from './wire-error';
import { readU16, writeU16 } from './bytes';
import { finishChecksum, pseudoHeaderSum, sumWords } from './checksum';
import type { Ipv4 } from './ipv4-address';

export const UDP_HEADER_LEN = 8;
/** The IANA protocol number, used in the pseudo-header. */
const PROTOCOL_UDP = 17;

const F = {
  SRC_PORT: 0,
  DST_PORT: 2,
  LENGTH: 4,
  CHECKSUM: 6,
  PAYLOAD: 8,
} as const;

/** A zero-copy, read-only view of a UDP datagram (the IPv4 payload). */
export class UdpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** Bytes after the Length field's end are ignored (as Linux's udp_rcv trims them). */
  static parse(bytes: Uint8Array): UdpPacket {
    if (bytes.length < UDP_HEADER_LEN) throw new WireError('udp', 'truncated');
    const length = readU16(bytes, F.LENGTH);
    if (length < UDP_HEADER_LEN) throw new WireError('udp', 'length field below 8');
    if (length > bytes.length) throw new WireError('udp', 'length field exceeds buffer');
    return new UdpPacket(bytes);
  }

  get srcPort(): number { return readU16(this.bytes, F.SRC_PORT); }
  get dstPort(): number { return readU16(this.bytes, F.DST_PORT); }
  /** Header + data, in bytes. */
  get length(): number { return readU16(this.bytes, F.LENGTH); }
  get checksum(): number { return readU16(this.bytes, F.CHECKSUM); }
  /** The data as a subarray view, bounded by the Length field. */
  get payload(): Uint8Array { return this.bytes.subarray(F.PAYLOAD, this.length); }
}

/** The hot path's shortcuts on a datagram the caller already validated. */
export function udpSrcPort(b: Uint8Array, udpOffset = 0): number { return readU16(b, udpOffset + F.SRC_PORT); }
export function udpDstPort(b: Uint8Array, udpOffset = 0): number { return readU16(b, udpOffset + F.DST_PORT); }

/**
 * True when the datagram's checksum verifies against the pseudo-header, or is 0 (none sent).
 * False when the Length field does not fit the bytes.
 */
export function verifyUdpChecksum(udpBytes: Uint8Array, srcIp: Ipv4, dstIp: Ipv4): boolean {
  if (udpBytes.length < UDP_HEADER_LEN) return false;
  const length = readU16(udpBytes, F.LENGTH);
  if (length < UDP_HEADER_LEN || length > udpBytes.length) return false;
  if (readU16(udpBytes, F.CHECKSUM) === 0) return true;
  return finishChecksum(sumWords(udpBytes, 0, length, pseudoHeaderSum(srcIp, dstIp, PROTOCOL_UDP, length))) === 0;
}

/** The checksum a sender puts in the field of `bytes[offset, offset + length)` (0 → 0xffff). */
export function computeUdpChecksum(bytes: Uint8Array, offset: number, length: number, srcIp: Ipv4, dstIp: Ipv4): number {
  const sum = sumWords(bytes, offset, offset + length, pseudoHeaderSum(srcIp, dstIp, PROTOCOL_UDP, length));
  const checksum = finishChecksum(sum);
  // RFC 768: "If the computed checksum is zero, it is transmitted as all ones."
  return checksum === 0 ? 0xffff : checksum;
}

/** The fields a sender chooses; Length and Checksum are derived. */
export interface UdpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
}

export function udpReprOf(p: UdpPacket): UdpRepr {
  return { srcPort: p.srcPort, dstPort: p.dstPort };
}

/**
 * The zero-copy path: the payload is already in place at out[offset + 8]; writes the header
 * and the checksum over it. Returns the offset just after the payload (the datagram's end).
 */
export function emitUdpHeader(r: UdpRepr, out: Uint8Array, offset: number, payloadLength: number, srcIp: Ipv4, dstIp: Ipv4): number {
  const length = UDP_HEADER_LEN + payloadLength;
  if (length > 0xffff) throw new WireError('udp', 'length exceeds 65535');
  if (out.length - offset < length) throw new WireError('udp', 'buffer too small');
  writeU16(out, offset + F.SRC_PORT, r.srcPort);
  writeU16(out, offset + F.DST_PORT, r.dstPort);
  writeU16(out, offset + F.LENGTH, length);
  writeU16(out, offset + F.CHECKSUM, 0);
  writeU16(out, offset + F.CHECKSUM, computeUdpChecksum(out, offset, length, srcIp, dstIp));
  return offset + length;
}

/** Writes the header and copies `payload` after it; returns the datagram's end offset. */
export function emitUdp(r: UdpRepr, payload: Uint8Array, out: Uint8Array, offset: number, srcIp: Ipv4, dstIp: Ipv4): number {
  if (out.length - offset < UDP_HEADER_LEN + payload.length) throw new WireError('udp', 'buffer too small');
  out.set(payload, offset + F.PAYLOAD);
  return emitUdpHeader(r, out, offset, payload.length, srcIp, dstIp);
}
