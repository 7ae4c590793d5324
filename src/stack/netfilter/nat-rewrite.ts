/**
 * Rewriting a datagram for NAT (nf_nat_ipv4_manip_pkt and the per-protocol manip functions):
 * a copy of the datagram with its source or destination address and port (ICMP queries: the
 * identifier) replaced, every checksum patched incrementally (RFC 1624 eqn. 3) rather than
 * recomputed:
 *
 * - the IPv4 header checksum, for the address;
 * - UDP and TCP checksums, for the address (it is in the pseudo-header) and the port. A UDP
 *   checksum of 0 means "none" and stays 0; a patched one that comes out 0 is sent as 0xffff
 *   (RFC 768, the kernel's CSUM_MANGLED_0);
 * - the ICMP checksum, for the identifier (ICMP has no pseudo-header).
 *
 * A fragment other than the first has no transport header: only its addresses change (the
 * first fragment's transport checksum, patched for the address, covers the whole datagram).
 *
 * ICMP errors about a NATed flow (RELATED) are translated as nf_nat_icmp_reply_translation
 * does: the quoted datagram inside gets the opposite manipulation (it travelled the other
 * way), the outer header gets the normal one, and the ICMP checksum is recomputed over the
 * whole message. The kernel's own icmp_manip_pkt is not applied to the outer error header
 * (Linux 5.x did, corrupting bytes 4–5 of errors until 61177e911dad fixed it).
 *
 * Frames are immutable once transmitted (DESIGN.md), so every function returns a new buffer.
 */
import { internetChecksum, readU16, updateChecksum16, writeU16 } from '../../wire';
import { ICMP_REPLY_TYPE, PROTO_ICMP, PROTO_TCP, PROTO_UDP } from './packet-info';

export type ManipType = 'src' | 'dst';

/** Replaces a 32-bit value at `at` and patches the 16-bit checksum at `csumAt` for it. */
function replace32(b: Uint8Array, at: number, value: number, csumAt: number, alsoAt: number, mangledZero: boolean): void {
  const oldHi = readU16(b, at);
  const oldLo = readU16(b, at + 2);
  const newHi = (value >>> 16) & 0xffff;
  const newLo = value & 0xffff;
  if (oldHi === newHi && oldLo === newLo) return;
  if (csumAt >= 0) {
    let c = readU16(b, csumAt);
    c = updateChecksum16(updateChecksum16(c, oldHi, newHi), oldLo, newLo);
    writeU16(b, csumAt, c);
  }
  if (alsoAt >= 0) {
    let c = readU16(b, alsoAt);
    if (c !== 0 || !mangledZero) {
      c = updateChecksum16(updateChecksum16(c, oldHi, newHi), oldLo, newLo);
      writeU16(b, alsoAt, mangledZero && c === 0 ? 0xffff : c);
    }
  }
  writeU16(b, at, newHi);
  writeU16(b, at + 2, newLo);
}

/** Replaces a 16-bit value and patches a checksum (skipping an absent UDP checksum). */
function replace16(b: Uint8Array, at: number, value: number, csumAt: number, udp: boolean): void {
  const old = readU16(b, at);
  if (old === value) return;
  if (csumAt >= 0) {
    const c = readU16(b, csumAt);
    if (!(udp && c === 0)) {
      const n = updateChecksum16(c, old, value);
      writeU16(b, csumAt, udp && n === 0 ? 0xffff : n);
    }
  }
  writeU16(b, at, value);
}

/**
 * Rewrites, in place, the datagram at `b[o…]` (which may be a quoted one inside an ICMP error,
 * cut short after 8 transport bytes): the address of `manip` and, when the transport header is
 * there, its port (or the ICMP identifier); a checksum is patched only when the bytes hold it.
 */
function manipInPlace(b: Uint8Array, o: number, manip: ManipType, addr: number, port: number): void {
  const ihl = (b[o]! & 0x0f) * 4;
  const proto = b[o + 9]!;
  const fragmented = (readU16(b, o + 6) & 0x1fff) !== 0;
  const l4 = o + ihl;
  const avail = b.length - l4;
  const addrAt = o + (manip === 'src' ? 12 : 16);
  let l4Csum = -1;
  let udp = false;
  if (!fragmented) {
    if (proto === PROTO_UDP && avail >= 8) {
      l4Csum = l4 + 6;
      udp = true;
    } else if (proto === PROTO_TCP && avail >= 20) {
      l4Csum = l4 + 16;
    }
  }
  replace32(b, addrAt, addr >>> 0, o + 10, l4Csum, udp);
  if (fragmented) return;
  if ((proto === PROTO_UDP && avail >= 4) || (proto === PROTO_TCP && avail >= 4)) {
    replace16(b, l4 + (manip === 'src' ? 0 : 2), port, l4Csum, udp);
  } else if (proto === PROTO_ICMP && avail >= 8 && ICMP_REPLY_TYPE[b[l4]!] !== undefined) {
    replace16(b, l4 + 4, port, l4 + 2, false);
  }
}

/** A copy of the datagram `d` with its source (or destination) address and port rewritten. */
export function natRewrite(d: Uint8Array, manip: ManipType, addr: number, port: number): Uint8Array {
  const out = d.slice();
  manipInPlace(out, 0, manip, addr, port);
  return out;
}

/**
 * A copy of the ICMP error `d` translated for a NATed flow: the quoted datagram gets
 * `innerManip` to (innerAddr, innerPort), the outer header `outerManip` to outerAddr, and the
 * ICMP checksum is recomputed.
 */
export function natRewriteIcmpError(
  d: Uint8Array, outerManip: ManipType, outerAddr: number,
  innerManip: ManipType, innerAddr: number, innerPort: number,
): Uint8Array {
  const out = d.slice();
  const ihl = (out[0]! & 0x0f) * 4;
  const end = Math.min(out.length, readU16(out, 2));
  const inner = ihl + 8;
  if (end - inner >= 20) {
    // The quote is bounded by the outer datagram's Total Length.
    const quote = out.subarray(0, end);
    manipInPlace(quote, inner, innerManip, innerAddr, innerPort);
    writeU16(out, ihl + 2, 0);
    writeU16(out, ihl + 2, internetChecksum(out, ihl, end));
  }
  replace32(out, outerManip === 'src' ? 12 : 16, outerAddr >>> 0, 10, -1, false);
  return out;
}

/** The protocol numbers whose transport carries ports or an identifier NAT can remap. */
export function hasRemappablePort(proto: number, icmpType: number): boolean {
  return proto === PROTO_TCP || proto === PROTO_UDP || (proto === PROTO_ICMP && ICMP_REPLY_TYPE[icmpType] !== undefined);
}
