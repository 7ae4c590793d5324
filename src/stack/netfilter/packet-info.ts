/**
 * What netfilter reads from a datagram once per hook: addresses, protocol, the fragment
 * fields, the transport ports (TCP/UDP) or ICMP type, code and identifier, plus the hook's
 * interfaces and the connection tracking verdict the matches need.
 *
 * The namespace has validated the IPv4 header before any hook runs, so only the transport part
 * is checked here: a first fragment too short for its transport header has `l4ok` false (the
 * kernel's tcp/udp matches "hotdrop" such a packet, and conntrack calls it INVALID).
 */
import { readU16, readU32, type Ipv4 } from '../../wire';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

/** ICMP query types conntrack tracks (icmp_new's valid_new[]) and their reply types. */
export const ICMP_REPLY_TYPE: Readonly<Record<number, number>> = { 8: 0, 13: 14, 15: 16, 17: 18, 0: 8, 14: 13, 16: 15, 18: 17 };
export const ICMP_QUERY_TYPES: ReadonlySet<number> = new Set([8, 13, 15, 17]);
/** Error types whose quote relates them to a connection (icmp_error_message). */
export const ICMP_ERROR_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 11, 12]);

const NO_BYTES = new Uint8Array(0);

export class PacketInfo {
  d: Uint8Array = NO_BYTES;
  /** Header length in bytes. */
  ihl = 20;
  /** Total Length (what counters count). */
  length = 0;
  proto = 0;
  src: Ipv4 = 0;
  dst: Ipv4 = 0;
  /** Fragment offset in bytes (non-zero: no transport header here). */
  fragOffset = 0;
  moreFragments = false;
  identification = 0;
  /** The transport header is present and long enough (always true for other protocols). */
  l4ok = true;
  /** TCP/UDP ports; for ICMP queries sport is the identifier (conntrack's tuple). */
  sport = 0;
  dport = 0;
  icmpType = -1;
  icmpCode = -1;
  /** `-i` / `-o` names ('' when the hook has no such interface, as the kernel's nulldevname). */
  inName = '';
  outName = '';
  /** CtState bits of this packet (0 until tracked). */
  ctState = 0;
}

/**
 * Fills `p` from the datagram `d` (header already validated by the namespace). The names and
 * `ctState` are left as they are: after a NAT rewrite the same packet is read again.
 */
export function readPacket(d: Uint8Array, p: PacketInfo): PacketInfo {
  p.d = d;
  const ihl = (d[0]! & 0x0f) * 4;
  p.ihl = ihl;
  p.length = readU16(d, 2);
  p.identification = readU16(d, 4);
  const frag = readU16(d, 6);
  p.fragOffset = (frag & 0x1fff) * 8;
  p.moreFragments = (frag & 0x2000) !== 0;
  p.proto = d[9]!;
  p.src = readU32(d, 12);
  p.dst = readU32(d, 16);
  p.sport = 0;
  p.dport = 0;
  p.icmpType = -1;
  p.icmpCode = -1;
  p.l4ok = true;
  if (p.fragOffset !== 0) return p;
  const avail = Math.min(d.length, p.length) - ihl;
  switch (p.proto) {
    case PROTO_TCP:
      // Ports and flags: the kernel's matches need the whole 20-byte header.
      if (avail < 20) {
        p.l4ok = false;
        return p;
      }
      p.sport = readU16(d, ihl);
      p.dport = readU16(d, ihl + 2);
      return p;
    case PROTO_UDP:
      if (avail < 8) {
        p.l4ok = false;
        return p;
      }
      p.sport = readU16(d, ihl);
      p.dport = readU16(d, ihl + 2);
      return p;
    case PROTO_ICMP:
      if (avail < 8) {
        p.l4ok = false;
        return p;
      }
      p.icmpType = d[ihl]!;
      p.icmpCode = d[ihl + 1]!;
      // Queries and their replies carry an identifier in the second word (conntrack's "port").
      if (ICMP_REPLY_TYPE[p.icmpType] !== undefined) {
        p.sport = readU16(d, ihl + 4);
        p.dport = p.icmpType;
      }
      return p;
    default:
      return p;
  }
}
