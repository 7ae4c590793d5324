/**
 * Ethernet II frames (IEEE 802.3 with an EtherType), with an optional IEEE 802.1Q tag.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Destination MAC (6 octets)                    |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                   Source MAC (6 octets)                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   TPID 0x8100 (if tagged)     | PCP |D|        VID            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          EtherType            |   Payload ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Heads up: captures carry no preamble and no FCS (as tcpdump on Linux shows them), and
 * frames are not padded to 60 bytes: Linux pads short frames only on real NICs, and veths
 * and bridges (where Docker's traffic lives) carry the short 42-byte ARP frames as they are.
 */
import { WireError } from './wire-error';
import { readU16, readU48, writeU16, writeU48 } from './bytes';
import type { Mac } from './mac-address';

/** EtherTypes cnmlab understands; any other value passes through as a number. */
export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPv6: 0x86dd,
} as const;

/** Byte offsets of the untagged header. */
export const F = {
  DST: 0,
  SRC: 6,
  ETHERTYPE: 12,
  /** With a tag: TPID at 12, TCI at 14, the inner EtherType at 16. */
  TCI: 14,
  INNER_ETHERTYPE: 16,
} as const;
export const ETHERNET_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;

/** A zero-copy, read-only view of an Ethernet frame. */
export class EthernetFrame {
  private constructor(readonly bytes: Uint8Array) {}

  static parse(bytes: Uint8Array): EthernetFrame {
    if (bytes.length < ETHERNET_HEADER_LEN) throw new WireError('ethernet', 'truncated');
    if (readU16(bytes, F.ETHERTYPE) === EtherType.VLAN && bytes.length < ETHERNET_HEADER_LEN + VLAN_TAG_LEN) {
      throw new WireError('ethernet', 'truncated 802.1Q tag');
    }
    return new EthernetFrame(bytes);
  }

  get dst(): Mac { return readU48(this.bytes, F.DST); }
  get src(): Mac { return readU48(this.bytes, F.SRC); }
  get tagged(): boolean { return readU16(this.bytes, F.ETHERTYPE) === EtherType.VLAN; }
  /** The VLAN ID (0..4095) of a tagged frame, undefined if untagged. */
  get vid(): number | undefined { return this.tagged ? readU16(this.bytes, F.TCI) & 0x0fff : undefined; }
  get pcp(): number | undefined { return this.tagged ? readU16(this.bytes, F.TCI) >>> 13 : undefined; }
  get dei(): boolean | undefined { return this.tagged ? (readU16(this.bytes, F.TCI) & 0x1000) !== 0 : undefined; }
  /** The EtherType of the payload (after the tag when tagged). */
  get etherType(): number { return readU16(this.bytes, this.tagged ? F.INNER_ETHERTYPE : F.ETHERTYPE); }
  get headerLength(): number { return this.tagged ? ETHERNET_HEADER_LEN + VLAN_TAG_LEN : ETHERNET_HEADER_LEN; }
  /** The payload as a subarray view (no copy). */
  get payload(): Uint8Array { return this.bytes.subarray(this.headerLength); }
}

/** The hot path's shortcuts: read without constructing a view (the caller checked length ≥ 14). */
export function frameDst(frame: Uint8Array): Mac { return readU48(frame, F.DST); }
export function frameSrc(frame: Uint8Array): Mac { return readU48(frame, F.SRC); }
export function frameEtherType(frame: Uint8Array): number { return readU16(frame, F.ETHERTYPE); }

export interface VlanTag {
  /** 802.1Q VLAN identifier, 0..4095 (0 = priority tag, 4095 reserved). */
  readonly vid: number;
  /** Priority code point, 0..7 (default 0). */
  readonly pcp?: number;
  /** Drop eligible indicator (default false). */
  readonly dei?: boolean;
}

/** The fields a sender chooses. */
export interface EthernetRepr {
  readonly dst: Mac;
  readonly src: Mac;
  readonly etherType: number;
  readonly vlan?: VlanTag;
}

export function ethernetReprOf(f: EthernetFrame): EthernetRepr {
  const base = { dst: f.dst, src: f.src, etherType: f.etherType };
  return f.tagged ? { ...base, vlan: { vid: f.vid!, pcp: f.pcp!, dei: f.dei! } } : base;
}

export function ethernetHeaderLength(r: EthernetRepr): number {
  return r.vlan ? ETHERNET_HEADER_LEN + VLAN_TAG_LEN : ETHERNET_HEADER_LEN;
}

/** Writes the header at out[offset]; returns the offset of the payload. */
export function emitEthernet(r: EthernetRepr, out: Uint8Array, offset = 0): number {
  if (out.length - offset < ethernetHeaderLength(r)) throw new WireError('ethernet', 'buffer too small');
  writeU48(out, offset + F.DST, r.dst);
  writeU48(out, offset + F.SRC, r.src);
  if (r.vlan) {
    writeU16(out, offset + F.ETHERTYPE, EtherType.VLAN);
    const tci = ((r.vlan.pcp ?? 0) << 13) | (r.vlan.dei ? 0x1000 : 0) | (r.vlan.vid & 0x0fff);
    writeU16(out, offset + F.TCI, tci);
    writeU16(out, offset + F.INNER_ETHERTYPE, r.etherType);
    return offset + ETHERNET_HEADER_LEN + VLAN_TAG_LEN;
  }
  writeU16(out, offset + F.ETHERTYPE, r.etherType);
  return offset + ETHERNET_HEADER_LEN;
}

/** Builds a whole frame: header + payload copied in. */
export function buildEthernetFrame(r: EthernetRepr, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ethernetHeaderLength(r) + payload.length);
  out.set(payload, emitEthernet(r, out, 0));
  return out;
}
