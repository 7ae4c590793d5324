/**
 * VXLAN (RFC 7348): an Ethernet frame carried in UDP, tagged with a 24-bit network identifier.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|R|R|I|R|R|R|            Reserved                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 inner Ethernet frame ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * RFC 7348 §5: the I flag MUST be 1 for a valid VNI; reserved fields are sent as 0 and
 * ignored on receipt. Whether a header without the I flag is dropped is the endpoint's call
 * (Linux's vxlan_rcv drops it), so parse reports `vniValid` and does not throw.
 */
import { WireError } from './wire-error';
import { readU32, writeU32 } from './bytes';

/** The IANA-assigned UDP destination port (Linux's default since 3.7 is 8472; Docker uses 4789). */
export const VXLAN_PORT = 4789;
export const VXLAN_HEADER_LEN = 8;
/** The I flag in the first octet. */
const FLAG_I = 0x08;
/** The largest 24-bit VNI. */
export const VXLAN_MAX_VNI = 0xff_ffff;

const F = {
  FLAGS: 0,
  /** The VNI is the upper 24 bits of the second word. */
  VNI_WORD: 4,
  PAYLOAD: 8,
} as const;

/** A zero-copy, read-only view of a VXLAN header and the frame it carries. */
export class VxlanHeader {
  private constructor(readonly bytes: Uint8Array) {}

  /** `bytes` is the UDP payload. */
  static parse(bytes: Uint8Array): VxlanHeader {
    if (bytes.length < VXLAN_HEADER_LEN) throw new WireError('vxlan', 'truncated');
    return new VxlanHeader(bytes);
  }

  get flags(): number { return this.bytes[F.FLAGS]!; }
  /** The I flag: the VNI field is valid. */
  get vniValid(): boolean { return (this.bytes[F.FLAGS]! & FLAG_I) !== 0; }
  get vni(): number { return readU32(this.bytes, F.VNI_WORD) >>> 8; }
  /** The inner Ethernet frame as a subarray view. */
  get payload(): Uint8Array { return this.bytes.subarray(F.PAYLOAD); }
}

/** The one field a sender chooses. */
export interface VxlanRepr {
  readonly vni: number;
}

export function vxlanReprOf(h: VxlanHeader): VxlanRepr {
  return { vni: h.vni };
}

/** Writes the 8-byte header (I flag set, reserved fields 0); returns the inner frame's offset. */
export function emitVxlan(r: VxlanRepr, out: Uint8Array, offset = 0): number {
  if (r.vni < 0 || r.vni > VXLAN_MAX_VNI) throw new WireError('vxlan', 'VNI out of range');
  if (out.length - offset < VXLAN_HEADER_LEN) throw new WireError('vxlan', 'buffer too small');
  writeU32(out, offset + F.FLAGS, FLAG_I << 24);
  writeU32(out, offset + F.VNI_WORD, r.vni << 8);
  return offset + VXLAN_HEADER_LEN;
}
