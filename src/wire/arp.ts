/**
 * ARP (RFC 826) for Ethernet hardware addresses and IPv4 protocol addresses.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Hardware type (HTYPE = 1)  |  Protocol type (PTYPE 0x0800) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  HLEN = 6     |  PLEN = 4     |        Operation (OPER)       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Sender hardware address (SHA, 6 octets)         |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               | Sender protocol address (SPA) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  SPA (cont.)                  | Target hardware address (THA) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                     THA (cont., 6 octets in all)              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Target protocol address (TPA)                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Heads up: only the Ethernet/IPv4 form exists in cnmlab, so any other hardware or protocol
 * type (or address length) is refused as 'unsupported hardware/protocol': the other fields
 * would not even sit at these offsets. Unknown operations (RARP 3/4, InARP 8/9) pass through.
 */
import { WireError } from './wire-error';
import { readU16, readU32, readU48, writeU16, writeU32, writeU48 } from './bytes';
import type { Mac } from './mac-address';
import type { Ipv4 } from './ipv4-address';

/** RFC 826 operation codes; other values pass through as numbers. */
export const ArpOp = {
  Request: 1,
  Reply: 2,
} as const;

/** ARP_HRD_ETHER (RFC 826 / IANA "Hardware Types"). */
export const ARP_HTYPE_ETHERNET = 1;
/** The protocol type is an EtherType: IPv4. */
export const ARP_PTYPE_IPV4 = 0x0800;
/** Length of an Ethernet/IPv4 ARP packet. */
export const ARP_LEN = 28;
/** The fixed part every ARP packet has, whatever its address types. */
const ARP_FIXED_LEN = 8;

/** Byte offsets (Ethernet/IPv4 form). */
const F = {
  HTYPE: 0,
  PTYPE: 2,
  HLEN: 4,
  PLEN: 5,
  OP: 6,
  SHA: 8,
  SPA: 14,
  THA: 18,
  TPA: 24,
} as const;

/** A zero-copy, read-only view of an Ethernet/IPv4 ARP packet. */
export class ArpPacket {
  private constructor(readonly bytes: Uint8Array) {}

  /** `bytes` is the Ethernet payload; trailing bytes (padding to 60-byte frames) are ignored. */
  static parse(bytes: Uint8Array): ArpPacket {
    if (bytes.length < ARP_FIXED_LEN) throw new WireError('arp', 'truncated');
    if (readU16(bytes, F.HTYPE) !== ARP_HTYPE_ETHERNET || readU16(bytes, F.PTYPE) !== ARP_PTYPE_IPV4
      || bytes[F.HLEN] !== 6 || bytes[F.PLEN] !== 4) {
      throw new WireError('arp', 'unsupported hardware/protocol');
    }
    if (bytes.length < ARP_LEN) throw new WireError('arp', 'truncated');
    return new ArpPacket(bytes);
  }

  get htype(): number { return readU16(this.bytes, F.HTYPE); }
  get ptype(): number { return readU16(this.bytes, F.PTYPE); }
  get hlen(): number { return this.bytes[F.HLEN]!; }
  get plen(): number { return this.bytes[F.PLEN]!; }
  get op(): number { return readU16(this.bytes, F.OP); }
  get senderMac(): Mac { return readU48(this.bytes, F.SHA); }
  get senderIp(): Ipv4 { return readU32(this.bytes, F.SPA); }
  get targetMac(): Mac { return readU48(this.bytes, F.THA); }
  get targetIp(): Ipv4 { return readU32(this.bytes, F.TPA); }
  /**
   * RFC 2002 §4.6 / RFC 5227: a gratuitous ARP announces the sender's own binding, with the
   * sender's address also in the target protocol field. It may be a request (what Linux
   * `arping -U` and Docker's gratuitous ARPs send) or a reply (`arping -A`).
   */
  get isGratuitous(): boolean {
    const op = this.op;
    return (op === ArpOp.Request || op === ArpOp.Reply) && this.senderIp === this.targetIp;
  }
  /** RFC 5227 §2.1.1: an ARP probe is a request with an all-zero sender IP address. */
  get isProbe(): boolean { return this.op === ArpOp.Request && this.senderIp === 0; }
}

/** The fields a sender chooses (HTYPE/PTYPE/HLEN/PLEN are implied). */
export interface ArpRepr {
  readonly op: number;
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
}

export function arpReprOf(p: ArpPacket): ArpRepr {
  return { op: p.op, senderMac: p.senderMac, senderIp: p.senderIp, targetMac: p.targetMac, targetIp: p.targetIp };
}

/** Writes the 28-byte packet at out[offset]; returns the offset just after it. */
export function emitArp(r: ArpRepr, out: Uint8Array, offset = 0): number {
  if (out.length - offset < ARP_LEN) throw new WireError('arp', 'buffer too small');
  writeU16(out, offset + F.HTYPE, ARP_HTYPE_ETHERNET);
  writeU16(out, offset + F.PTYPE, ARP_PTYPE_IPV4);
  out[offset + F.HLEN] = 6;
  out[offset + F.PLEN] = 4;
  writeU16(out, offset + F.OP, r.op);
  writeU48(out, offset + F.SHA, r.senderMac);
  writeU32(out, offset + F.SPA, r.senderIp);
  writeU48(out, offset + F.THA, r.targetMac);
  writeU32(out, offset + F.TPA, r.targetIp);
  return offset + ARP_LEN;
}
