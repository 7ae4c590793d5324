/**
 * IPv4 fragmentation (RFC 791 §3.2, Linux ip_do_fragment's slow path): a datagram longer than
 * the egress MTU, without DF, leaves as several datagrams sharing its Identification.
 *
 * - Every fragment but the last carries a multiple of 8 payload bytes, as many as fit.
 * - Fragments go out first to last (Linux sends them in order).
 * - The first fragment keeps all options; the others keep only options with the "copied" flag
 *   (RFC 791): Linux's ip_options_fragment overwrites the rest with NOPs, keeping the header length.
 * - A datagram that is itself a fragment (forwarded) is split relative to its own offset, and
 *   its last piece keeps its MF flag.
 */
import { readU16, writeU16, internetChecksum, type Ipv4Packet } from '../wire';

/** RFC 791 option types: End of Option List and No Operation are one byte long. */
const IPOPT_END = 0;
const IPOPT_NOOP = 1;
/** The "copied" flag of an option type: copy the option into every fragment. */
const IPOPT_COPY = 0x80;

/**
 * Splits `ip` into fragments for `mtu`. Each returned buffer has `headroom` free bytes first
 * (room for the Ethernet header), then the fragment. Returns [] when the MTU cannot carry
 * even 8 payload bytes behind the header (the caller counts the datagram as dropped).
 */
export function fragmentDatagram(ip: Ipv4Packet, mtu: number, headroom: number): Uint8Array[] {
  const hlen = ip.headerLength;
  const payload = ip.payload;
  const maxChunk = (mtu - hlen) & ~7;
  if (maxChunk < 8) return [];
  const header = ip.header.slice();
  const baseOffset = ip.fragmentOffset;
  const lastHasMf = ip.moreFragments;
  const out: Uint8Array[] = [];
  for (let pos = 0; pos < payload.length; pos += maxChunk) {
    const len = Math.min(maxChunk, payload.length - pos);
    const last = pos + len >= payload.length;
    const buf = new Uint8Array(headroom + hlen + len);
    buf.set(header, headroom);
    buf.set(payload.subarray(pos, pos + len), headroom + hlen);
    writeU16(buf, headroom + 2, hlen + len);
    const flags = readU16(header, 6) & 0x4000; // keep DF as it was (it is clear when we fragment)
    const mf = !last || lastHasMf ? 0x2000 : 0;
    writeU16(buf, headroom + 6, flags | mf | ((baseOffset + pos) >>> 3));
    writeU16(buf, headroom + 10, 0);
    writeU16(buf, headroom + 10, internetChecksum(buf, headroom, headroom + hlen));
    out.push(buf);
    if (pos === 0 && hlen > 20) stripUncopiedOptions(header, hlen);
  }
  return out;
}

/** ip_options_fragment: non-copied options become NOPs in the header later fragments reuse. */
function stripUncopiedOptions(header: Uint8Array, hlen: number): void {
  let i = 20;
  while (i < hlen) {
    const type = header[i]!;
    if (type === IPOPT_END) return;
    if (type === IPOPT_NOOP) {
      i++;
      continue;
    }
    const len = header[i + 1] ?? 0;
    if (len < 2 || i + len > hlen) return; // malformed: leave the rest alone
    if ((type & IPOPT_COPY) === 0) header.fill(IPOPT_NOOP, i, i + len);
    i += len;
  }
}
